import type { IncludeTarget, SearchRequest } from '@payer-access/fhir-models';
import type { Resource } from '@medplum/fhirtypes';
import type { DataSource, EntityManager } from 'typeorm';
import { BulkCopyWriter } from './bulk-copy.writer';
import { PreparedStatements } from './prepared-statements';
import { SearchIndexer } from './search-indexer';
import { type Compartment, compartmentCondition, patientCompartment, payerCompartment, UNRESTRICTED, withheldIn } from './compartment';
import { labelsFromText, type PreparedResource, prepareResource, REPLACE_ON_CONFLICT } from './prepared-resource';
import { type ScopeFilter, scopeFilterSql } from './scope-filter';
import { SearchSqlBuilder } from './search-sql.builder';
import { searchesWithheldElement, WithheldSearchError, withoutDemographics, type Withholding } from './withheld';

export interface StoredResource {
  readonly resource: Resource;
  readonly version: number;
  readonly lastUpdated: Date;
  readonly patientId: string | null;
}

/**
 * A stored resource as the JSON text the database holds: searches and reads pass it through to the
 * response without parsing and re-serializing it.
 */
export interface RawResource {
  readonly resourceType: string;
  readonly id: string;
  readonly json: string;
}

export interface RawStoredResource extends RawResource {
  readonly version: number;
  readonly lastUpdated: Date;
  readonly patientId: string | null;
}

export interface SearchResult {
  readonly entries: RawResource[];
  readonly total: number;
  readonly includes: RawResource[];
}

/**
 * Reads and searches of the store, limited to one compartment. A reader is what the API holds:
 * `ResourceRepository.forPatient(id)` for a member's token, `unrestricted()` for trusted tools.
 */
export interface ResourceReader {
  readonly compartment: Compartment;
  read(resourceType: string, id: string): Promise<StoredResource | undefined>;
  /** As the database holds it; undefined when absent or outside the compartment (the two look the same). */
  readRaw(resourceType: string, id: string): Promise<RawStoredResource | undefined>;
  search(request: SearchRequest): Promise<SearchResult>;
  /** One page of a patient's compartment (`Patient/{id}/$everything`), in insertion order; empty outside the reader's compartment. */
  everything(patientId: string, page: { count: number; startIndex: number }): Promise<{ entries: RawResource[]; total: number }>;
}

export { UnservableResourceError } from './prepared-resource';

/** Most resources an `_include` / `_revinclude` adds to one page. */
const MAX_INCLUDED = 1000;

/**
 * The generic resource store: one table for every type, plus the search index tables written in the
 * same transaction as the resource, so a resource is never visible without its index. It writes for
 * trusted callers (the loader, the seeder); reads and searches go through a `ResourceReader` of one
 * compartment, which applies it in every query, includes too.
 */
export class ResourceRepository {
  constructor(
    private readonly dataSource: DataSource,
    /** How `write` extracts search values; the loader prepares resources with the same one. */
    readonly indexer: SearchIndexer,
    /** Stamped on resources written without `meta.lastUpdated`; the payer look-back's clock. */
    readonly now: () => Date = () => new Date(),
  ) {
    this.prepared = new PreparedStatements(dataSource);
  }

  private readonly prepared: PreparedStatements;

  /**
   * Creates or replaces resources, keeping a `meta.lastUpdated` the data brings (a plan's own export
   * knows when each record changed; seed 002's `_lastUpdated` examples depend on it) and stamping
   * the current instant otherwise. A replaced resource keeps its place in paging order.
   */
  async write(resources: readonly Resource[], options: { bulk?: boolean } = {}): Promise<number> {
    const prepared = this.prepareAll(resources);
    if (prepared.length === 0) return 0;
    await this.dataSource.transaction(async (manager) => {
      // A bulk load that is cut short is simply run again, so it need not wait for each commit to
      // reach the disk; the database stays consistent either way.
      // https://www.postgresql.org/docs/current/wal-async-commit.html
      if (options.bulk) await manager.query('SET LOCAL synchronous_commit = off');
      await this.writePrepared(manager, prepared, 'replace');
    });
    return prepared.length;
  }

  private prepareAll(resources: readonly Resource[]): PreparedResource[] {
    // The last of two versions of one resource in a batch wins, as if written one after the other.
    const unique = new Map<string, Resource>();
    for (const resource of resources) unique.set(`${resource.resourceType}/${resource.id}`, resource);
    return [...unique.values()].map((resource) => prepareResource(resource, this.indexer, this.now));
  }

  /**
   * Creates resources whose type and id are not stored yet and leaves stored ones exactly as they
   * are (version and all): what an event consumer needs to apply a redelivered event as a no-op.
   * Returns how many were created.
   */
  async createIfAbsent(resources: readonly Resource[]): Promise<number> {
    const prepared = this.prepareAll(resources);
    if (prepared.length === 0) return 0;
    return this.dataSource.transaction((manager) => this.writePrepared(manager, prepared, 'keep'));
  }

  private async writePrepared(manager: EntityManager, prepared: readonly PreparedResource[], stored: 'replace' | 'keep'): Promise<number> {
    const written: { seq: string; version: number; resource_type: string; id: string }[] = await manager.query(
      `INSERT INTO resource (resource_type, id, last_updated, patient_id, content, record_date, security_labels)
       SELECT t.resource_type, t.id, t.last_updated, t.patient_id, t.content, t.record_date,
         ${labelsFromText('t.labels')}
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::json[], $6::timestamptz[], $7::text[])
         AS t(resource_type, id, last_updated, patient_id, content, record_date, labels)
       ${stored === 'keep' ? 'ON CONFLICT (resource_type, id) DO NOTHING' : REPLACE_ON_CONFLICT}
       RETURNING seq, version, resource_type, id`,
      [
        prepared.map((item) => item.resource.resourceType),
        prepared.map((item) => item.resource.id),
        prepared.map((item) => item.lastUpdated),
        prepared.map((item) => item.patientId),
        prepared.map((item) => JSON.stringify(item.resource)),
        prepared.map((item) => item.recordDate),
        // One text per resource (labels hold no spaces): unnest cannot take an array of arrays of varying length.
        prepared.map((item) => item.securityLabels.join(' ')),
      ],
    );
    const replaced = written.filter((row) => row.version > 1).map((row) => row.seq);
    if (replaced.length > 0) {
      for (const table of ['search_token', 'search_date', 'search_reference', 'search_string']) {
        await manager.query(`DELETE FROM ${table} WHERE resource_seq = ANY($1::bigint[])`, [replaced]);
      }
    }
    const columns = {
      tokens: { seq: [] as string[], type: [] as string[], param: [] as string[], a: [] as (string | null)[], b: [] as string[] },
      dates: { seq: [] as string[], type: [] as string[], param: [] as string[], a: [] as string[], b: [] as string[] },
      references: { seq: [] as string[], type: [] as string[], param: [] as string[], a: [] as (string | null)[], b: [] as string[] },
      strings: { seq: [] as string[], type: [] as string[], param: [] as string[], b: [] as string[] },
    };
    // RETURNING order is not promised to follow the input, so rows are matched by key.
    const seqByKey = new Map(written.map((row) => [`${row.resource_type}/${row.id}`, row.seq]));
    prepared.forEach((item) => {
      const seq = seqByKey.get(`${item.resource.resourceType}/${item.resource.id}`);
      // Kept as stored (`keep`): its index rows are already there.
      if (seq === undefined) return;
      const type = item.resource.resourceType;
      for (const row of item.rows.tokens) push(columns.tokens, seq, type, row.param, row.system, row.code);
      for (const row of item.rows.dates) push(columns.dates, seq, type, row.param, row.low, row.high);
      for (const row of item.rows.references) push(columns.references, seq, type, row.param, row.targetType, row.targetId);
      for (const row of item.rows.strings) {
        columns.strings.seq.push(seq);
        columns.strings.type.push(type);
        columns.strings.param.push(row.param);
        columns.strings.b.push(row.value);
      }
    });
    const { tokens, dates, references, strings } = columns;
    if (tokens.seq.length > 0)
      await manager.query(
        `INSERT INTO search_token SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])`,
        [tokens.seq, tokens.type, tokens.param, tokens.a, tokens.b],
      );
    if (dates.seq.length > 0)
      await manager.query(
        `INSERT INTO search_date SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])`,
        [dates.seq, dates.type, dates.param, dates.a, dates.b],
      );
    if (references.seq.length > 0)
      await manager.query(
        `INSERT INTO search_reference SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])`,
        [references.seq, references.type, references.param, references.a, references.b],
      );
    if (strings.seq.length > 0)
      await manager.query(`INSERT INTO search_string SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`, [
        strings.seq,
        strings.type,
        strings.param,
        strings.b,
      ]);
    return written.length;
  }

  /** The loader's write path: batches through COPY on a connection of its own (see `BulkCopyWriter`). */
  openBulkCopy(): Promise<BulkCopyWriter> {
    return BulkCopyWriter.open(this.dataSource);
  }

  /**
   * What a member's token may see: that patient's compartment and the shared directory types, less
   * what the member withheld from this grant, and of each type in `scopeFilters` only what its
   * granular scopes admit (other resources do not exist).
   */
  forPatient(patientId: string, withheld?: Withholding, scopeFilters: Readonly<Record<string, ScopeFilter>> = {}): ResourceReader {
    return this.reader(patientCompartment(patientId, withheld), scopeFilters);
  }

  /** What a payer's backend token may see at this instant: its linked members (see `payerCompartment`). */
  forPayer(clientId: string): ResourceReader {
    return this.reader(payerCompartment(clientId, this.now()));
  }

  /** Every resource, for trusted callers only; never for a request made with a member's token. */
  unrestricted(): ResourceReader {
    return this.reader(UNRESTRICTED);
  }

  private reader(compartment: Compartment, scopeFilters: Readonly<Record<string, ScopeFilter>> = {}): ResourceReader {
    const filterOf = (resourceType: string) => (Object.hasOwn(scopeFilters, resourceType) ? scopeFilters[resourceType] : undefined);
    const readRaw = (resourceType: string, id: string) => this.readRaw(compartment, resourceType, id, filterOf(resourceType));
    return {
      compartment,
      readRaw,
      read: async (resourceType, id) => {
        const raw = await readRaw(resourceType, id);
        return raw && { resource: JSON.parse(raw.json) as Resource, version: raw.version, lastUpdated: raw.lastUpdated, patientId: raw.patientId };
      },
      search: (request) => this.search(compartment, request, filterOf(request.resourceType)),
      everything: (patientId, page) => this.everything(compartment, patientId, page),
    };
  }

  private async readRaw(compartment: Compartment, resourceType: string, id: string, filter?: ScopeFilter): Promise<RawStoredResource | undefined> {
    const values: unknown[] = [resourceType, id];
    const bind = (value: unknown) => `$${values.push(value)}`;
    const scoped = filter === undefined ? '' : ` AND ${scopeFilterSql(filter, resourceType, bind)}`;
    // Another patient's resource, or a withheld sensitive one, does not exist for this reader: the same answer as a missing one.
    const condition = compartmentCondition(compartment, resourceType, bind);
    const rows = await this.prepared.query<{ json: string; version: number; last_updated: Date; patient_id: string | null }>(
      `SELECT content::text AS json, version, last_updated, patient_id FROM resource r WHERE resource_type = $1 AND id = $2${scoped}${condition ? ` AND ${condition}` : ''}`,
      values,
    );
    const row = rows[0];
    if (!row) return undefined;
    const json = presented(compartment, resourceType, row.json);
    return { resourceType, id, json, version: row.version, lastUpdated: row.last_updated, patientId: row.patient_id };
  }

  private async everything(compartment: Compartment, patientId: string, page: { count: number; startIndex: number }): Promise<{ entries: RawResource[]; total: number }> {
    const where = (values: unknown[]) => {
      const condition = compartmentCondition(compartment, undefined, (value) => `$${values.push(value)}`);
      return `r.patient_id = $1${condition ? ` AND ${condition}` : ''}`;
    };
    const values: unknown[] = [patientId, page.count, page.startIndex];
    const rows: PageRow[] = await this.dataSource.query(
      `SELECT r.seq, r.resource_type, r.id, r.content::text AS json, count(*) OVER () AS total FROM resource r
       WHERE ${where(values)} ORDER BY r.seq LIMIT $2 OFFSET $3`,
      values,
    );
    if (rows.length > 0 || page.startIndex === 0) return { entries: rows.map((row) => toRaw(row, compartment)), total: rows.length > 0 ? Number(rows[0].total) : 0 };
    // A page past the end carries no total of its own.
    const countValues: unknown[] = [patientId];
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM resource r WHERE ${where(countValues)}`, countValues)) as { total: number }[];
    return { entries: [], total };
  }

  private async search(compartment: Compartment, request: SearchRequest, filter?: ScopeFilter): Promise<SearchResult> {
    if (withheldIn(compartment).demographics) {
      // Refused whatever the value, before any query: a count or an empty page would answer it.
      for (const clause of request.clauses) {
        if (searchesWithheldElement(request.resourceType, clause.parameter)) throw new WithheldSearchError(clause.name);
      }
    }
    const built = SearchSqlBuilder.build(request, compartment, {
      compartmentParams: this.indexer.compartmentParamsOf(request.resourceType),
      filter: filter && ((bind) => scopeFilterSql(filter, request.resourceType, bind)),
    });
    const countOnly = request.count === 0 || request.summary === 'count';
    // One round trip: the page carries the total; only a page past the end needs a count of its own.
    const page = countOnly ? [] : await this.prepared.query<PageRow>(built.page.text, built.page.values);
    const total = page.length > 0 ? Number(page[0].total) : (await this.prepared.query<{ total: number }>(built.count.text, built.count.values))[0].total;
    if (countOnly) return { entries: [], total, includes: [] };
    const entries = page.map((row) => toRaw(row, compartment));
    const includes = await this.includes(request, page, compartment);
    return { entries, total, includes };
  }

  /** `_include` follows the page's references; `_revinclude` finds what refers to the page. */
  private async includes(request: SearchRequest, page: PageRow[], compartment: Compartment): Promise<RawResource[]> {
    if (page.length === 0 || (request.include.length === 0 && request.revInclude.length === 0)) return [];
    const found = new Map<string, RawResource>();
    const matched = new Set(page.map((row) => `${row.resource_type}/${row.id}`));
    const add = (rows: PageRow[]) => {
      for (const row of rows) {
        const key = `${row.resource_type}/${row.id}`;
        if (!matched.has(key) && found.size < MAX_INCLUDED) found.set(key, toRaw(row, compartment));
      }
    };
    for (const target of request.include) add(await this.forwardIncludes(target, page.map((row) => row.seq), compartment));
    for (const target of request.revInclude) add(await this.reverseIncludes(target, request.resourceType, page.map((row) => row.id), compartment));
    return [...found.values()];
  }

  private async forwardIncludes(target: IncludeTarget, seqs: string[], scope: Compartment): Promise<PageRow[]> {
    const values: unknown[] = [seqs, target.parameters.map((parameter) => parameter.code), MAX_INCLUDED];
    const typeFilter = target.targetType === undefined ? '' : `AND x.target_type = $${values.push(target.targetType)}`;
    // The targets' types are known only per row: a reader keeps its compartment's and shared (unowned) resources.
    const condition = compartmentCondition(scope, undefined, (value) => `$${values.push(value)}`);
    const compartment = condition === undefined ? '' : `AND ${condition}`;
    return this.dataSource.query(
      `SELECT r.seq, r.resource_type, r.id, r.content::text AS json FROM resource r
       WHERE (r.resource_type, r.id) IN (
         SELECT x.target_type, x.target_id FROM search_reference x
         WHERE x.resource_seq = ANY($1::bigint[]) AND x.param = ANY($2::text[]) ${typeFilter})
       ${compartment}
       ORDER BY r.seq LIMIT $3`,
      values,
    );
  }

  private async reverseIncludes(target: IncludeTarget, searchedType: string, ids: string[], scope: Compartment): Promise<PageRow[]> {
    const values: unknown[] = [target.sourceType, target.parameters.map((parameter) => parameter.code), searchedType, ids, MAX_INCLUDED];
    const condition = compartmentCondition(scope, target.sourceType, (value) => `$${values.push(value)}`);
    const compartment = condition === undefined ? '' : `AND ${condition}`;
    return this.dataSource.query(
      `SELECT r.seq, r.resource_type, r.id, r.content::text AS json FROM resource r
       WHERE r.resource_type = $1 ${compartment} AND EXISTS (
         SELECT 1 FROM search_reference x WHERE x.resource_seq = r.seq AND x.param = ANY($2::text[])
           AND x.target_type = $3 AND x.target_id = ANY($4::text[]))
       ORDER BY r.seq LIMIT $5`,
      values,
    );
  }

  async countAll(): Promise<number> {
    const [{ total }] = (await this.dataSource.query('SELECT count(*)::int AS total FROM resource')) as { total: number }[];
    return total;
  }

  /** Cheaper than counting: whether anything at all is stored. */
  async isEmpty(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM resource LIMIT 1');
    return rows.length === 0;
  }
}

interface PageRow {
  readonly seq: string;
  readonly resource_type: string;
  readonly id: string;
  readonly json: string;
  readonly total?: string | number;
}

function toRaw(row: PageRow, compartment: Compartment): RawResource {
  return { resourceType: row.resource_type, id: row.id, json: presented(compartment, row.resource_type, row.json) };
}

/** The stored JSON as this reader may see it: a Patient loses its demographics when the grant withholds them. */
function presented(compartment: Compartment, resourceType: string, json: string): string {
  return resourceType === 'Patient' && withheldIn(compartment).demographics ? withoutDemographics(json) : json;
}

function push(
  columns: { seq: string[]; type: string[]; param: string[]; a: (string | null)[]; b: string[] },
  seq: string,
  type: string,
  param: string,
  a: string | null,
  b: string,
): void {
  columns.seq.push(seq);
  columns.type.push(type);
  columns.param.push(param);
  columns.a.push(a);
  columns.b.push(b);
}
