import type { Resource } from '@medplum/fhirtypes';
import { applySensitivityLabels, isFhirId, type SensitiveCodeList } from '@payer-access/fhir-models';
import { type CopyLines, copyLinesOf, copyRowsOf, type CopyRows } from '../store/bulk-copy.writer';
import { prepareResource, UnservableResourceError } from '../store/prepared-resource';
import type { SearchIndexer } from '../store/search-indexer';

/** A line or resource the loader refused, and why; loading goes on without it. */
export interface LoadRejection {
  /** 1-based position in the input (the NDJSON line number). */
  readonly line: number;
  readonly reason: string;
}

/** One input item with its line number. */
export interface LoadItem {
  readonly line: number;
  readonly value: string | Resource;
}

/** What the loader knows to check and prepare resources, in the main thread or a worker. */
export interface LoadRules {
  /** Types the store can index and serve; others are refused. */
  readonly supportedTypes: ReadonlySet<string>;
  /** The plan's sensitive codes: records they appear in are labelled so a grant can withhold them. */
  readonly sensitiveCodes: SensitiveCodeList;
}

/**
 * One batch of input as the loader reads it: items already split (and perhaps parsed), or NDJSON
 * bytes, whole lines only, whose first line is line `firstLine` of the input. `count` is how many
 * items or lines it holds, blank lines included (a `seq` value is drawn for each).
 */
export type InputBatch =
  | { readonly items: readonly LoadItem[]; readonly count: number }
  | { readonly ndjson: Uint8Array; readonly firstLine: number; readonly count: number };

const decoder = new TextDecoder('utf-8');

/** The batch's items: NDJSON is decoded and split into its lines here, blank lines skipped. */
export function itemsOf(batch: InputBatch): readonly LoadItem[] {
  if ('items' in batch) return batch.items;
  const items: LoadItem[] = [];
  const lines = decoder.decode(batch.ndjson).split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const value = lines[index];
    if (value.trim() !== '') items.push({ line: batch.firstLine + index, value });
  }
  return items;
}

/** A batch ready for `BulkCopyWriter`, with the lines it refused and the lines it holds. */
export interface PreparedLoadBatch {
  /** Input items the batch held (blank lines not counted). */
  readonly read: number;
  readonly rows: CopyRows;
  /** Lines whose resources are in `rows` (a line replaced by a later one of the same resource is not). */
  readonly lines: readonly number[];
  readonly rejections: readonly LoadRejection[];
}

// https://hl7.org/fhir/R4/datatypes.html#id and #instant
const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The resource, with its sensitivity labels, or why it is refused. */
export function checkLoadItem(item: string | Resource, rules: LoadRules): Resource | string {
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
  if (!rules.supportedTypes.has(resource.resourceType)) return `resourceType ${resource.resourceType} is not served by this store`;
  if (!isFhirId(resource.id)) return `${resource.resourceType}: missing or invalid id`;
  const lastUpdated = resource.meta?.lastUpdated;
  if (lastUpdated !== undefined && (typeof lastUpdated !== 'string' || !FHIR_INSTANT.test(lastUpdated))) {
    return `${resource.resourceType}/${resource.id}: meta.lastUpdated is not a FHIR instant`;
  }
  return applySensitivityLabels(resource as Resource, rules.sensitiveCodes);
}

/**
 * The CPU half of loading one batch: parse and check each line, label, index and format it for
 * COPY. A resource that appears twice in a batch is stored once, in its last version at the place
 * of its first (as the repository's `write` treats a batch). The k-th resource kept gets `seqs[k]`
 * (one value is drawn per item). Runs in a worker thread for large loads.
 */
export function prepareLoadBatch(items: readonly LoadItem[], rules: LoadRules, indexer: SearchIndexer, now: Date, seqs: readonly string[]): PreparedLoadBatch {
  const rejections: LoadRejection[] = [];
  // Each resource is prepared and formatted as it is read; a later version takes its first's place.
  const unique = new Map<string, { line: number; formatted: CopyLines | string }>();
  for (const item of items) {
    const checked = checkLoadItem(item.value, rules);
    if (typeof checked === 'string') {
      rejections.push({ line: item.line, reason: checked });
      continue;
    }
    let formatted: CopyLines | string;
    try {
      formatted = copyLinesOf(prepareResource(checked, indexer, () => now));
    } catch (error) {
      formatted = error instanceof UnservableResourceError ? error.message : `${checked.resourceType}/${checked.id}: could not be stored`;
    }
    unique.set(`${checked.resourceType}/${checked.id}`, { line: item.line, formatted });
  }
  const kept: CopyLines[] = [];
  const lines: number[] = [];
  for (const { line, formatted } of unique.values()) {
    if (typeof formatted === 'string') {
      rejections.push({ line, reason: formatted });
    } else {
      kept.push(formatted);
      lines.push(line);
    }
  }
  rejections.sort((a, b) => a.line - b.line);
  return { read: items.length, rows: copyRowsOf(kept, seqs), lines, rejections };
}
