import type { Bundle } from '@medplum/fhirtypes';

/**
 * Serializes a searchset Bundle whose entries' resources are already JSON text (as the store holds
 * them), splicing each in rather than parsing and re-serializing it. `resources[i]` is the JSON of
 * `bundle.entry[i].resource`.
 */
export function serializeBundle(bundle: Bundle, resources: readonly string[]): string {
  const { entry, ...rest } = bundle;
  const head = JSON.stringify(rest);
  if (!entry || entry.length === 0) return head;
  const entries = entry.map((item, index) => {
    const fullUrl = item.fullUrl === undefined ? '' : `"fullUrl":${JSON.stringify(item.fullUrl)},`;
    const search = item.search === undefined ? '' : `,"search":${JSON.stringify(item.search)}`;
    return `{${fullUrl}"resource":${resources[index]}${search}}`;
  });
  return `${head.slice(0, -1)},"entry":[${entries.join(',')}]}`;
}
