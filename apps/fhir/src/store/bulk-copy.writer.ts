import { once } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { labelsFromText, type PreparedResource, REPLACE_ON_CONFLICT } from './prepared-resource';

/**
 * One batch of prepared resources as PostgreSQL COPY text: the resources and their search index
 * rows, each row tied to its resource by `ord`, its position in the batch. Plain strings, so that
 * worker threads can build them and hand them over.
 */
export interface CopyRows {
  readonly count: number;
  readonly resources: string;
  readonly index: string;
}

/**
 * Formats prepared resources (see `prepareResource`) for `BulkCopyWriter`, one staging row per
 * resource and per index row, with the same values the repository's `write` binds as parameters.
 * https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
 */
export function copyRowsOf(prepared: readonly PreparedResource[]): CopyRows {
  const resources: string[] = [];
  const index: string[] = [];
  prepared.forEach((item, ord) => {
    const { resource } = item;
    // JSON text holds no raw tab, newline or carriage return: only its backslashes need escaping.
    const json = JSON.stringify(resource);
    const content = json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
    resources.push(
      `${ord}\t${field(resource.resourceType)}\t${field(resource.id ?? null)}\t${field(item.lastUpdated)}\t${field(item.patientId)}\t${content}\t${field(item.recordDate)}\t${item.sensitive ? 't' : 'f'}\t${field(item.securityLabels.join(' '))}\n`,
    );
    for (const row of item.rows.tokens) index.push(`${ord}\tt\t${field(row.param)}\t${field(row.system)}\t${field(row.code)}\n`);
    for (const row of item.rows.dates) index.push(`${ord}\td\t${field(row.param)}\t${field(row.low)}\t${field(row.high)}\n`);
    for (const row of item.rows.references) index.push(`${ord}\tr\t${field(row.param)}\t${field(row.targetType)}\t${field(row.targetId)}\n`);
    for (const row of item.rows.strings) index.push(`${ord}\ts\t${field(row.param)}\t\\N\t${field(row.value)}\n`);
  });
  return { count: prepared.length, resources: resources.join(''), index: index.join('') };
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A text column in COPY's text format: `\N` for NULL, backslash escapes for the delimiters. */
function field(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (character) => ESCAPES[character]) : value;
}

/**
 * Session tables the COPY rows land in; emptied at each commit. `load_written` maps each staged
 * resource to the `seq` and version it got.
 */
const STAGING_TABLES = `
  CREATE TEMP TABLE IF NOT EXISTS load_resource (
    ord integer NOT NULL, resource_type text NOT NULL, id text NOT NULL, last_updated timestamptz NOT NULL, patient_id text,
    content json NOT NULL, record_date timestamptz, sensitive boolean NOT NULL, labels text NOT NULL
  ) ON COMMIT DELETE ROWS;
  DO $$ BEGIN ALTER TABLE load_resource ALTER COLUMN content SET COMPRESSION lz4; EXCEPTION WHEN others THEN NULL; END $$;
  CREATE TEMP TABLE IF NOT EXISTS load_index (ord integer NOT NULL, kind "char" NOT NULL, param text NOT NULL, a text, b text NOT NULL) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS load_written (ord integer NOT NULL, seq bigint NOT NULL, version integer NOT NULL, resource_type text NOT NULL) ON COMMIT DELETE ROWS;`;

/**
 * From the staging tables into the store, in the statements of the repository's `write`: new
 * resources in batch order (so `seq` follows the input), replaced ones get their next version and
 * lose their old index rows; then the index rows, each with its resource's `seq`. Ends the
 * transaction `write` opened.
 */
const STORE_STAGED = `
  WITH written AS (
    INSERT INTO resource (resource_type, id, last_updated, patient_id, content, record_date, sensitive, security_labels)
    SELECT s.resource_type, s.id, s.last_updated, s.patient_id, s.content, s.record_date, s.sensitive, ${labelsFromText('s.labels')}
    FROM load_resource s ORDER BY s.ord
    ${REPLACE_ON_CONFLICT}
    RETURNING seq, version, resource_type, id)
  INSERT INTO load_written SELECT s.ord, w.seq, w.version, w.resource_type FROM written w JOIN load_resource s ON s.resource_type = w.resource_type AND s.id = w.id;
  -- An array, not a join: the staging tables have no statistics, and the planner must probe the index.
  ${['search_token', 'search_date', 'search_reference', 'search_string']
    .map((table) => `DELETE FROM ${table} WHERE resource_seq = ANY(ARRAY(SELECT seq FROM load_written WHERE version > 1));`)
    .join('\n  ')}
  INSERT INTO search_token SELECT w.seq, w.resource_type, i.param, i.a, i.b FROM load_index i JOIN load_written w USING (ord) WHERE i.kind = 't';
  INSERT INTO search_date SELECT w.seq, w.resource_type, i.param, i.a::timestamptz, i.b::timestamptz FROM load_index i JOIN load_written w USING (ord) WHERE i.kind = 'd';
  INSERT INTO search_reference SELECT w.seq, w.resource_type, i.param, i.a, i.b FROM load_index i JOIN load_written w USING (ord) WHERE i.kind = 'r';
  INSERT INTO search_string SELECT w.seq, w.resource_type, i.param, i.b FROM load_index i JOIN load_written w USING (ord) WHERE i.kind = 's';
  COMMIT;`;

/**
 * The loader's write path: each batch is streamed with COPY into session staging tables, then
 * stored with one round trip of set-based statements, in one transaction on a connection of its
 * own. It stores what the repository's `write` stores for the same resources (the loader's tests
 * compare the two); a batch that fails is rolled back whole, and the caller retries its resources
 * one by one through `write` to find the bad one.
 * https://www.postgresql.org/docs/current/populate.html#POPULATE-COPY-FROM
 */
export class BulkCopyWriter {
  private constructor(private readonly client: PoolClient) {}

  static async open(dataSource: DataSource): Promise<BulkCopyWriter> {
    // TypeORM's pg pool for this data source (its `master` pool; there are no replicas).
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    try {
      await client.query(STAGING_TABLES);
    } catch (error) {
      client.release(true);
      throw error;
    }
    return new BulkCopyWriter(client);
  }

  /** Stores the batch in one transaction, or stores none of it and throws. */
  async write(rows: CopyRows): Promise<number> {
    if (rows.count === 0) return 0;
    try {
      // A bulk load that is cut short is simply run again, so it need not wait for each commit to
      // reach the disk; the database stays consistent either way.
      // https://www.postgresql.org/docs/current/wal-async-commit.html
      await this.client.query('BEGIN; SET LOCAL synchronous_commit = off');
      await this.copy('COPY load_resource FROM STDIN', rows.resources);
      if (rows.index !== '') await this.copy('COPY load_index FROM STDIN', rows.index);
      await this.client.query(STORE_STAGED);
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return rows.count;
  }

  async close(): Promise<void> {
    // Temporary tables belong to the session: drop them before the connection goes back to the pool.
    await this.client.query('DISCARD TEMP').catch(() => undefined);
    this.client.release();
  }

  private async copy(statement: string, text: string): Promise<void> {
    const stream = this.client.query(copyFrom(statement));
    const finished = once(stream, 'finish');
    stream.end(text);
    await finished;
  }
}
