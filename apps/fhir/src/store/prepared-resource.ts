import { sensitivityLabelsOf } from '@payer-access/fhir-models';
import type { Resource } from '@medplum/fhirtypes';
import { SHARED_RESOURCE_TYPES } from './compartment';
import { recordDateOf } from './record-date';
import type { IndexRows, SearchIndexer } from './search-indexer';

/** A resource the store refuses: it could not be served to anyone. */
export class UnservableResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnservableResourceError';
  }
}

/** A resource as the store keeps it: stamped, with every column and index row it is stored with. */
export interface PreparedResource {
  readonly resource: Resource;
  readonly rows: IndexRows;
  readonly patientId: string | null;
  readonly lastUpdated: string;
  readonly recordDate: string | null;
  /** The one sensitivity marker (`NOT_SENSITIVE` in compartment.ts): empty unless a sensitivity label is present. */
  readonly securityLabels: string[];
}

/**
 * Computes everything stored with a resource besides its place and version: search index rows,
 * patient compartment, look-back date and sensitivity labels. Both write paths (the repository's
 * and the loader's COPY path, in worker threads too) go through it, so they store the same columns.
 * A `meta.lastUpdated` the data brings is kept (a plan's own export knows when each record changed);
 * otherwise `now` is stamped.
 */
export function prepareResource(resource: Resource, indexer: SearchIndexer, now: () => Date): PreparedResource {
  if (!resource.id) throw new UnservableResourceError(`${resource.resourceType} without an id`);
  const lastUpdated = resource.meta?.lastUpdated ?? now().toISOString();
  const stamped = { ...resource, meta: { ...resource.meta, versionId: '1', lastUpdated } } as Resource;
  const rows = indexer.index(stamped);
  const patientId = indexer.compartmentOf(stamped, rows);
  if (patientId === null && !SHARED_RESOURCE_TYPES.has(resource.resourceType)) {
    // Every read and search is confined to one patient's compartment: such a resource could never be served.
    throw new UnservableResourceError(`${resource.resourceType}/${resource.id} refers to no Patient (patient, subject or beneficiary)`);
  }
  return {
    resource: stamped,
    rows,
    patientId,
    lastUpdated,
    recordDate: recordDateOf(stamped)?.toISOString() ?? null,
    securityLabels: sensitivityLabelsOf(stamped),
  };
}

/**
 * How a write meets a resource already stored, for both write paths: it replaces it with the next
 * version (in its `meta.versionId` too) and keeps its `seq`, so it keeps its place in paging order.
 */
export const REPLACE_ON_CONFLICT = `ON CONFLICT (resource_type, id) DO UPDATE SET
         version = resource.version + 1,
         last_updated = EXCLUDED.last_updated,
         patient_id = EXCLUDED.patient_id,
         record_date = EXCLUDED.record_date,
         security_labels = EXCLUDED.security_labels,
         content = jsonb_set(EXCLUDED.content::jsonb, '{meta,versionId}', to_jsonb((resource.version + 1)::text))::json`;

/**
 * The `security_labels` array from the labels joined by spaces (labels hold none): both write paths
 * pass one text per resource, since neither `unnest` nor a staging row takes arrays of varying length.
 */
export const labelsFromText = (column: string) => `CASE WHEN ${column} = '' THEN '{}'::text[] ELSE string_to_array(${column}, ' ') END`;
