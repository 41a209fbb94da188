import type { Resource } from '@medplum/fhirtypes';
import { applySensitivityLabels, DEFAULT_SENSITIVE_CODES, type SensitiveCodeList } from '@payer-access/fhir-models';
import { UnservableResourceError, type PreparedBatch, type ResourceRepository } from '../store/resource.repository';

/** A line or resource the loader refused, and why; loading goes on without it. */
export interface LoadRejection {
  /** 1-based position in the input (the NDJSON line number). */
  readonly line: number;
  readonly reason: string;
}

export interface LoadReport {
  readonly read: number;
  readonly loaded: number;
  readonly rejected: number;
  /** The first rejections, up to `maxReportedRejections`. */
  readonly rejections: readonly LoadRejection[];
  readonly milliseconds: number;
  readonly resourcesPerSecond: number;
}

export interface LoadProgress {
  readonly read: number;
  readonly loaded: number;
  readonly rejected: number;
  readonly resourcesPerSecond: number;
}

export interface LoadOptions {
  /** Resources written per transaction. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Called at most once per this many resources. */
  readonly progressEvery?: number;
  readonly maxReportedRejections?: number;
}

// https://hl7.org/fhir/R4/datatypes.html#id and #instant
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Imports FHIR NDJSON (the Bulk Data format, one resource per line, as a plan's own export brings
 * it) in batches. A bad line is reported and skipped rather than stopping a ten-million-line load.
 * https://hl7.org/fhir/uv/bulkdata/export.html#bulk-data-output-file-format
 */
export class NdjsonLoader {
  constructor(
    private readonly repository: ResourceRepository,
    /** Types the store can index and serve; others are refused. */
    private readonly supportedTypes: ReadonlySet<string>,
    /** The plan's sensitive codes: records they appear in are labelled so a grant can withhold them. */
    private readonly sensitiveCodes: SensitiveCodeList = DEFAULT_SENSITIVE_CODES,
  ) {}

  async load(input: AsyncIterable<string | Resource> | Iterable<string | Resource>, options: LoadOptions = {}): Promise<LoadReport> {
    const batchSize = options.batchSize ?? 1000;
    const progressEvery = options.progressEvery ?? 10_000;
    const maxReported = options.maxReportedRejections ?? 100;
    const started = performance.now();
    const rejections: LoadRejection[] = [];
    let line = 0;
    let read = 0;
    let loaded = 0;
    let rejected = 0;
    let nextProgress = progressEvery;
    let batch: { resource: Resource; line: number }[] = [];
    const rate = () => Math.round((loaded / Math.max(performance.now() - started, 1)) * 1000);
    const reject = (at: number, reason: string) => {
      rejected += 1;
      if (rejections.length < maxReported) rejections.push({ line: at, reason });
    };
    // Writes one batch; a failed batch is retried resource by resource so one bad resource does
    // not sink its batch-mates.
    const write = async (current: { resource: Resource; line: number }[], prepared: PreparedBatch | undefined) => {
      try {
        if (!prepared) throw new Error('indexing failed');
        loaded += await this.repository.writeBatch(prepared, { bulk: true });
      } catch {
        for (const item of current) {
          try {
            loaded += await this.repository.write([item.resource], { bulk: true });
          } catch (error) {
            reject(item.line, error instanceof UnservableResourceError ? error.message : `${item.resource.resourceType}/${item.resource.id}: could not be stored`);
          }
        }
      }
      if (options.onProgress && read >= nextProgress) {
        nextProgress = read + progressEvery;
        options.onProgress({ read, loaded, rejected, resourcesPerSecond: rate() });
      }
    };
    // One batch is written while the next is parsed and indexed: the database and this process
    // work at the same time.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (batch.length === 0) return;
      const current = batch;
      batch = [];
      let prepared: PreparedBatch | undefined;
      try {
        prepared = this.repository.prepareBatch(current.map((item) => item.resource));
      } catch {
        prepared = undefined;
      }
      await inFlight;
      inFlight = write(current, prepared);
    };

    for await (const item of input) {
      line += 1;
      if (typeof item === 'string' && item.trim() === '') continue;
      read += 1;
      const checked = this.check(item);
      if (typeof checked === 'string') {
        reject(line, checked);
        continue;
      }
      batch.push({ resource: checked, line });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await inFlight;
    const milliseconds = Math.round(performance.now() - started);
    return { read, loaded, rejected, rejections, milliseconds, resourcesPerSecond: rate() };
  }

  /** The resource, or why it is refused. */
  private check(item: string | Resource): Resource | string {
    let value: unknown = item;
    if (typeof item === 'string') {
      try {
        value = JSON.parse(item);
      } catch {
        return 'not valid JSON';
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
    const resource = value as Partial<Resource> & { meta?: { lastUpdated?: unknown } };
    if (typeof resource.resourceType !== 'string') return 'no resourceType';
    if (!this.supportedTypes.has(resource.resourceType)) return `resourceType ${resource.resourceType} is not served by this store`;
    if (typeof resource.id !== 'string' || !FHIR_ID.test(resource.id)) return `${resource.resourceType}: missing or invalid id`;
    const lastUpdated = resource.meta?.lastUpdated;
    if (lastUpdated !== undefined && (typeof lastUpdated !== 'string' || !FHIR_INSTANT.test(lastUpdated))) {
      return `${resource.resourceType}/${resource.id}: meta.lastUpdated is not a FHIR instant`;
    }
    return applySensitivityLabels(resource as Resource, this.sensitiveCodes);
  }
}

/** Splits a byte stream into lines, for NDJSON files of any size. */
export async function* ndjsonLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    rest += chunk.toString();
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  if (rest !== '') yield rest;
}
