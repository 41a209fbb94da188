import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

export interface NdjsonWriteReport {
  /** Resources written per file, by resource type. */
  readonly counts: Readonly<Record<string, number>>;
  readonly files: readonly string[];
}

/**
 * Writes resources as Bulk Data NDJSON, one `<ResourceType>.ndjson` file per type, as a `$export`
 * would. https://hl7.org/fhir/uv/bulkdata/export.html#bulk-data-output-file-format
 */
export async function writeNdjson(resources: Iterable<Resource>, directory: string): Promise<NdjsonWriteReport> {
  mkdirSync(directory, { recursive: true });
  const streams = new Map<string, WriteStream>();
  const counts: Record<string, number> = {};
  for (const resource of resources) {
    let stream = streams.get(resource.resourceType);
    if (!stream) {
      stream = createWriteStream(path.join(directory, `${resource.resourceType}.ndjson`));
      streams.set(resource.resourceType, stream);
    }
    counts[resource.resourceType] = (counts[resource.resourceType] ?? 0) + 1;
    if (!stream.write(`${JSON.stringify(resource)}\n`)) await once(stream, 'drain');
  }
  await Promise.all([...streams.values()].map((stream) => new Promise((resolve) => stream.end(resolve))));
  return { counts, files: [...streams.keys()].map((type) => path.join(directory, `${type}.ndjson`)) };
}
