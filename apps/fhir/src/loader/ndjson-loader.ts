import { availableParallelism } from 'node:os';
import type { Resource } from '@medplum/fhirtypes';
import { DEFAULT_SENSITIVE_CODES, type SensitiveCodeList } from '@payer-access/fhir-models';
import { UnservableResourceError, type ResourceRepository } from '../store/resource.repository';
import { checkLoadItem, type InputBatch, itemsOf, type LoadItem, type LoadRejection, type LoadRules, type PreparedLoadBatch, prepareLoadBatch } from './copy-batch';
import { LoadWorkerPool } from './load-worker-pool';

export type { LoadRejection } from './copy-batch';

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

/** How the loader spreads its CPU work over worker threads. */
export interface LoadParallelism {
  /** The service's FHIR_PUBLIC_URL, from which workers build the same search registry as the service. */
  readonly publicUrl: string;
  /**
   * Worker threads. By default one per core beyond the first, at least one and at most 4: the main
   * thread only reads lines and streams the COPY text the workers made (its profile is three
   * quarters idle), so even on 2 cores a worker lets parsing, indexing and formatting run while
   * PostgreSQL stores the previous batch (bench, same minutes: 3,850 against 3,565 resources/s with
   * none; 5,553 and 5,228 against 3,363 and 1,758 on a busier host).
   */
  readonly workers?: number;
}

/** Batches prepared ahead of the one being written: enough to keep every worker busy. */
const AHEAD_PER_WORKER = 2;

/**
 * Imports FHIR NDJSON (the Bulk Data format, one resource per line, as a plan's own export brings
 * it) in batches. A bad line is reported with its line number and skipped rather than stopping a
 * ten-million-line load. Loading the same input again stores the same rows: each resource is
 * replaced by itself with its next version, as any write replaces it.
 *
 * Each batch is parsed, labelled, indexed and formatted for COPY (`prepareLoadBatch`) and stored
 * through `BulkCopyWriter` in one transaction, in input order. When the input is larger than one
 * batch and `parallel` allows workers, worker threads prepare the next batches while the main thread
 * streams the current one to PostgreSQL. Each batch's `seq` values are drawn when it is read, so
 * resources keep input order in the store whichever thread prepares them. A batch PostgreSQL refuses is retried resource by resource
 * through the repository's `write`, so one bad resource does not sink its batch-mates.
 * https://hl7.org/fhir/uv/bulkdata/export.html#bulk-data-output-file-format
 */
export class NdjsonLoader {
  private readonly rules: LoadRules;

  constructor(
    private readonly repository: ResourceRepository,
    /** Types the store can index and serve; others are refused. */
    supportedTypes: ReadonlySet<string>,
    /** The plan's sensitive codes: records they appear in are labelled so a grant can withhold them. */
    sensitiveCodes: SensitiveCodeList = DEFAULT_SENSITIVE_CODES,
    /** Without it, every batch is prepared on the main thread. */
    private readonly parallel?: LoadParallelism,
  ) {
    this.rules = { supportedTypes, sensitiveCodes };
  }

  async load(input: AsyncIterable<string | Resource> | Iterable<string | Resource>, options: LoadOptions = {}): Promise<LoadReport> {
    const batchSize = options.batchSize ?? 1000;
    async function* batches(): AsyncGenerator<InputBatch> {
      let line = 0;
      let items: LoadItem[] = [];
      for await (const value of input) {
        line += 1;
        if (typeof value === 'string' && value.trim() === '') continue;
        items.push({ line, value });
        if (items.length >= batchSize) {
          yield { items, count: items.length };
          items = [];
        }
      }
      if (items.length > 0) yield { items, count: items.length };
    }
    return this.run(batches(), options);
  }

  /**
   * Loads an NDJSON byte stream (a file, standard input, an upload). The main thread only cuts the
   * bytes into batches of `batchSize` lines at newline bytes; decoding, splitting, parsing and the
   * rest happen where the batch is prepared, in a worker thread for large loads. Characters are
   * decoded whole, wherever the stream's chunks happen to end.
   */
  async loadNdjson(chunks: AsyncIterable<Buffer | Uint8Array | string>, options: LoadOptions = {}): Promise<LoadReport> {
    return this.run(ndjsonBatches(chunks, options.batchSize ?? 1000), options);
  }

  private async run(input: AsyncIterable<InputBatch>, options: LoadOptions): Promise<LoadReport> {
    const progressEvery = options.progressEvery ?? 10_000;
    const maxReported = options.maxReportedRejections ?? 100;
    const started = performance.now();
    const rejections: LoadRejection[] = [];
    let read = 0;
    let loaded = 0;
    let rejected = 0;
    let nextProgress = progressEvery;
    const rate = () => Math.round((loaded / Math.max(performance.now() - started, 1)) * 1000);
    const reject = (at: number, reason: string) => {
      rejected += 1;
      if (rejections.length < maxReported) rejections.push({ line: at, reason });
    };

    const writer = await this.repository.openBulkCopy();
    let pool: LoadWorkerPool | undefined;
    const workers = this.parallel ? (this.parallel.workers ?? Math.min(4, Math.max(1, availableParallelism() - 1))) : 0;
    // Batches in input order, each prepared (or being prepared) ahead of its write.
    const queue: { input: InputBatch; seqs: string[]; prepared: Promise<PreparedLoadBatch> }[] = [];
    let batches = 0;

    const writeNext = async () => {
      const next = queue.shift();
      if (!next) return;
      let batch: PreparedLoadBatch;
      try {
        batch = await next.prepared;
      } catch {
        // A worker that failed: the main thread prepares the batch instead.
        batch = prepareLoadBatch(itemsOf(next.input), this.rules, this.repository.indexer, this.repository.now(), next.seqs);
      }
      read += batch.read;
      for (const rejection of batch.rejections) reject(rejection.line, rejection.reason);
      try {
        loaded += await writer.write(batch.rows);
      } catch {
        await this.writeOneByOne(itemsOf(next.input), new Set(batch.lines), reject).then((count) => (loaded += count));
      }
      if (options.onProgress && read >= nextProgress) {
        nextProgress = read + progressEvery;
        options.onProgress({ read, loaded, rejected, resourcesPerSecond: rate() });
      }
    };
    const dispatch = async (input: InputBatch) => {
      batches += 1;
      // A load of one batch is not worth starting threads for.
      if (batches === 2 && workers > 0 && this.parallel) {
        pool = new LoadWorkerPool(workers, { publicUrl: this.parallel.publicUrl, supportedTypes: [...this.rules.supportedTypes], sensitiveCodes: this.rules.sensitiveCodes });
      }
      const now = this.repository.now();
      // Drawn in input order, whichever batch is written first: one per item, or per line of NDJSON.
      const seqs = await writer.reserveSeqs(input.count);
      const prepared = pool
        ? pool.prepare(input, now, seqs)
        : Promise.resolve().then(() => prepareLoadBatch(itemsOf(input), this.rules, this.repository.indexer, now, seqs));
      prepared.catch(() => undefined);
      queue.push({ input, seqs, prepared });
      while (queue.length > (pool ? workers * AHEAD_PER_WORKER : 1)) await writeNext();
    };

    try {
      for await (const batch of input) if (batch.count > 0) await dispatch(batch);
      while (queue.length > 0) await writeNext();
    } finally {
      await pool?.close();
      await writer.close();
    }
    rejections.sort((a, b) => a.line - b.line);
    const milliseconds = Math.round(performance.now() - started);
    return { read, loaded, rejected, rejections, milliseconds, resourcesPerSecond: rate() };
  }

  /** A batch PostgreSQL refused, stored resource by resource; what fails again is reported. */
  private async writeOneByOne(items: readonly LoadItem[], lines: ReadonlySet<number>, reject: (line: number, reason: string) => void): Promise<number> {
    let loaded = 0;
    for (const item of items) {
      if (!lines.has(item.line)) continue;
      const resource = checkLoadItem(item.value, this.rules) as Resource;
      try {
        loaded += await this.repository.write([resource], { bulk: true });
      } catch (error) {
        reject(item.line, error instanceof UnservableResourceError ? error.message : `${resource.resourceType}/${resource.id}: could not be stored`);
      }
    }
    return loaded;
  }
}

const NEWLINE = 0x0a;

/**
 * Cuts an NDJSON byte stream into batches of `linesPerBatch` lines, at newline bytes (a newline is
 * never part of another UTF-8 character), without decoding it. Each batch owns its bytes.
 */
export async function* ndjsonBatches(chunks: AsyncIterable<Buffer | Uint8Array | string>, linesPerBatch: number): AsyncGenerator<InputBatch> {
  let parts: Uint8Array[] = [];
  let lines = 0;
  let firstLine = 1;
  const cut = (extraLine: number): InputBatch => {
    const ndjson = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      ndjson.set(part, offset);
      offset += part.length;
    }
    const batch = { ndjson, firstLine, count: lines + extraLine };
    firstLine += lines + extraLine;
    parts = [];
    lines = 0;
    return batch;
  };
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    let at = 0;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, at);
      if (newline === -1) break;
      lines += 1;
      at = newline + 1;
      if (lines === linesPerBatch) {
        parts.push(bytes.subarray(start, at));
        start = at;
        yield cut(0);
      }
    }
    if (start < bytes.length) parts.push(bytes.subarray(start));
  }
  const unterminated = parts.length > 0 && parts[parts.length - 1].at(-1) !== NEWLINE;
  if (parts.length > 0) yield cut(unterminated ? 1 : 0);
}
