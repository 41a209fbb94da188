import { once } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { type PreparedResource, REPLACE_ON_CONFLICT } from './prepared-resource';
import { pgPoolOf } from './prepared-statements';

/**
 * One batch of prepared resources as PostgreSQL COPY text, UTF-8 encoded, one table each: a line per
 * resource and per index row, each starting with its resource's `seq` (drawn for the batch in input
 * order by `BulkCopyWriter.reserveSeqs`). Typed arrays of their own, so that a worker thread can
 * build them and hand them over without a copy (`transferablesOf`).
 */
export interface CopyRows {
  readonly count: number;
  readonly types: string[];
  readonly ids: string[];
  readonly resources: Uint8Array;
  readonly tokens: Uint8Array;
  readonly dates: Uint8Array;
  readonly references: Uint8Array;
  readonly strings: Uint8Array;
}

/** The buffers of a batch, to move to another thread rather than copy. */
export function transferablesOf(rows: CopyRows): ArrayBuffer[] {
  return [rows.resources, rows.tokens, rows.dates, rows.references, rows.strings].map((bytes) => bytes.buffer as ArrayBuffer);
}

/**
 * One prepared resource's COPY lines, each still without the `seq` it starts with: `seq` follows the
 * resource's place among those its batch keeps, known only once the whole batch is read.
 */
export interface CopyLines {
  readonly type: string;
  readonly id: string;
  readonly resource: string;
  readonly tokens: readonly string[];
  readonly dates: readonly string[];
  readonly references: readonly string[];
  readonly strings: readonly string[];
}

/**
 * Formats a prepared resource (see `prepareResource`) for `BulkCopyWriter`, with the values the
 * repository's `write` binds as parameters. Made as soon as the resource is prepared, so that only
 * these few flat strings outlive it, not the parsed resource and its index rows: a batch's parsed
 * objects then die young, and the garbage collector no longer copies a whole batch of them.
 * https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
 */
export function copyLinesOf(item: PreparedResource): CopyLines {
  const { resource } = item;
  const type = field(resource.resourceType);
  // JSON text holds no raw tab, newline or carriage return: only its backslashes need escaping.
  const json = JSON.stringify(resource);
  const content = json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
  return {
    type: resource.resourceType,
    id: resource.id as string,
    resource: `\t${type}\t${field(resource.id)}\t${field(item.lastUpdated)}\t${field(item.patientId)}\t${content}\t${field(item.recordDate)}\t${field(labelsArray(item.securityLabels))}\n`,
    tokens: item.rows.tokens.map((row) => `\t${type}\t${field(row.param)}\t${field(row.system)}\t${field(row.code)}\n`),
    dates: item.rows.dates.map((row) => `\t${type}\t${field(row.param)}\t${field(row.low)}\t${field(row.high)}\n`),
    references: item.rows.references.map((row) => `\t${type}\t${field(row.param)}\t${field(row.targetType)}\t${field(row.targetId)}\n`),
    strings: item.rows.strings.map((row) => `\t${type}\t${field(row.param)}\t${field(row.value)}\n`),
  };
}

/** A batch's COPY text, UTF-8 encoded, from its resources' lines in order; `seqs[i]` is the `seq` of the i-th. */
export function copyRowsOf(batch: readonly CopyLines[], seqs: readonly string[]): CopyRows {
  if (seqs.length < batch.length) throw new Error(`${batch.length} resources but ${seqs.length} seq values`);
  // About 5 kB of JSON per claim, and a few hundred bytes of index rows of each kind.
  const resources = new CopyText(batch.length * 6144);
  const tokens = new CopyText(batch.length * 1024);
  const dates = new CopyText(batch.length * 512);
  const references = new CopyText(batch.length * 512);
  const strings = new CopyText(batch.length * 512);
  batch.forEach((lines, index) => {
    const seq = seqs[index];
    resources.line(seq, lines.resource);
    for (const line of lines.tokens) tokens.line(seq, line);
    for (const line of lines.dates) dates.line(seq, line);
    for (const line of lines.references) references.line(seq, line);
    for (const line of lines.strings) strings.line(seq, line);
  });
  return {
    count: batch.length,
    types: batch.map((lines) => lines.type),
    ids: batch.map((lines) => lines.id),
    resources: resources.bytes(),
    tokens: tokens.bytes(),
    dates: dates.bytes(),
    references: references.bytes(),
    strings: strings.bytes(),
  };
}

/**
 * COPY text written as UTF-8 as it is made, each piece on its own. Concatenating a batch into one
 * string first and encoding it at the end cost more than everything else in formatting it: V8
 * flattens the string of tens of thousands of pieces before it can encode it. The bytes live in an
 * ArrayBuffer of their own (not Node's shared pool), so a worker thread can hand them over.
 */
class CopyText {
  private static readonly encoder = new TextEncoder();
  private buffer: Uint8Array;
  private length = 0;

  /** `expectedBytes`: about how much the batch will hold, so that it is seldom moved while it grows. */
  constructor(expectedBytes = 1 << 16) {
    this.buffer = Buffer.allocUnsafeSlow(expectedBytes);
  }

  /** A line: its `seq`, then the rest, which starts with the tab after it. */
  line(seq: string, rest: string): void {
    this.write(seq);
    this.write(rest);
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private write(text: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    if (this.buffer.length - this.length < text.length * 3) this.grow(this.length + text.length * 3);
    this.length += CopyText.encoder.encodeInto(text, this.buffer.subarray(this.length)).written;
  }

  private grow(needed: number): void {
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/**
 * `security_labels` as an array literal holding what the repository's `write` stores: the labels
 * joined by spaces and split again (`labelsFromText`).
 */
function labelsArray(labels: readonly string[]): string {
  const joined = labels.join(' ');
  if (joined === '') return '{}';
  return `{${joined
    .split(' ')
    .map((label) => `"${label.replace(/[\\"]/g, (character) => `\\${character}`)}"`)
    .join(',')}}`;
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A text column in COPY's text format: `\N` for NULL, backslash escapes for the delimiters. */
function field(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (character) => ESCAPES[character]) : value;
}

/** The index tables, their columns after `resource_seq`, and where a batch keeps their rows. */
const INDEX_TABLES = [
  { table: 'search_token', columns: 'resource_type, param, system, code', rows: 'tokens' },
  { table: 'search_date', columns: 'resource_type, param, low, high', rows: 'dates' },
  { table: 'search_reference', columns: 'resource_type, param, target_type, target_id', rows: 'references' },
  { table: 'search_string', columns: 'resource_type, param, value', rows: 'strings' },
] as const;

const RESOURCE_COLUMNS = 'resource_type, id, last_updated, patient_id, content, record_date, security_labels';

/**
 * Session tables for batches that replace stored resources, emptied at each commit: the store's
 * tables with `ord` for `seq` (the `seq` drawn for the resource, which it keeps if it is new).
 * `load_written` maps each staged resource to the `seq` and version it got.
 */
const STAGING_TABLES = `
  CREATE TEMP TABLE IF NOT EXISTS load_resource (
    ord bigint NOT NULL, resource_type text NOT NULL, id text NOT NULL, last_updated timestamptz NOT NULL, patient_id text,
    content json NOT NULL, record_date timestamptz, security_labels text[] NOT NULL
  ) ON COMMIT DELETE ROWS;
  DO $$ BEGIN ALTER TABLE load_resource ALTER COLUMN content SET COMPRESSION lz4; EXCEPTION WHEN others THEN NULL; END $$;
  ${INDEX_TABLES.map(({ table }) => `CREATE TEMP TABLE IF NOT EXISTS load_${table} (LIKE ${table}) ON COMMIT DELETE ROWS;`).join('\n  ')}
  CREATE TEMP TABLE IF NOT EXISTS load_written (ord bigint NOT NULL, seq bigint NOT NULL, version integer NOT NULL) ON COMMIT DELETE ROWS;`;

/**
 * From the staging tables into the store, in the statements of the repository's `write`: new
 * resources with the `seq` drawn for them (so `seq` follows the input), replaced ones get their next version and
 * lose their old index rows; then the index rows, each with its resource's `seq`. Ends the
 * transaction `write` opened.
 */
const STORE_STAGED = `
  WITH written AS (
    INSERT INTO resource (seq, ${RESOURCE_COLUMNS})
    SELECT ord, ${RESOURCE_COLUMNS} FROM load_resource ORDER BY ord
    ${REPLACE_ON_CONFLICT}
    RETURNING seq, version, resource_type, id)
  INSERT INTO load_written SELECT s.ord, w.seq, w.version FROM written w JOIN load_resource s ON s.resource_type = w.resource_type AND s.id = w.id;
  -- An array, not a join: the staging tables have no statistics, and the planner must probe the index.
  ${INDEX_TABLES.map(({ table }) => `DELETE FROM ${table} WHERE resource_seq = ANY(ARRAY(SELECT seq FROM load_written WHERE version > 1));`).join('\n  ')}
  ${INDEX_TABLES.map(
    ({ table, columns }) =>
      `INSERT INTO ${table} (resource_seq, ${columns}) SELECT w.seq, ${columns
        .split(', ')
        .map((column) => `i.${column}`)
        .join(', ')} FROM load_${table} i JOIN load_written w ON w.ord = i.resource_seq;`,
  ).join('\n  ')}
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
  private constructor(
    private readonly client: PoolClient,
    private readonly pool: Pool,
  ) {}

  static async open(dataSource: DataSource): Promise<BulkCopyWriter> {
    const pool = pgPoolOf(dataSource);
    const client = await pool.connect();
    try {
      await client.query(STAGING_TABLES);
    } catch (error) {
      client.release(true);
      throw error;
    }
    return new BulkCopyWriter(client, pool);
  }

  /**
   * `count` values of the store's `seq`, ascending, for one batch: drawn when the batch is read, so
   * that batches prepared ahead still take their places in input order. On another connection than
   * the writes, which it need not wait for. A value left unused (a refused line) is a gap in `seq`,
   * as a rolled-back insert leaves.
   */
  async reserveSeqs(count: number): Promise<string[]> {
    if (count === 0) return [];
    // bigint arrives as text; sorted as numbers.
    const { rows } = await this.pool.query<{ seq: string }>(`SELECT nextval(pg_get_serial_sequence('resource', 'seq')) AS seq FROM generate_series(1, $1::int) ORDER BY 1`, [count]);
    return rows.map((row) => row.seq);
  }

  /**
   * Stores the batch in one transaction, or stores none of it and throws. A batch of resources none
   * of which is stored yet (a first load) is copied straight into the store's tables with the `seq`
   * values drawn for it, as fast as a plain COPY; a batch that replaces stored resources (a re-load)
   * goes through the staging tables and one set of upserts.
   */
  async write(rows: CopyRows): Promise<number> {
    if (rows.count === 0) return 0;
    try {
      // A bulk load that is cut short is simply run again, so it need not wait for each commit to
      // reach the disk; the database stays consistent either way.
      // https://www.postgresql.org/docs/current/wal-async-commit.html
      await this.client.query('BEGIN; SET LOCAL synchronous_commit = off');
      const [{ replacing }] = (
        await this.client.query<{ replacing: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM resource r JOIN unnest($1::text[], $2::text[]) AS k(resource_type, id) ON r.resource_type = k.resource_type AND r.id = k.id) AS replacing`,
          [rows.types, rows.ids],
        )
      ).rows;
      if (replacing) await this.writeStaged(rows);
      else await this.writeDirect(rows);
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return rows.count;
  }

  /** New resources only: COPY into the store itself. A resource stored meanwhile fails the batch on the unique key. */
  private async writeDirect(rows: CopyRows): Promise<void> {
    await this.copy(`COPY resource (seq, ${RESOURCE_COLUMNS}) FROM STDIN`, rows.resources);
    for (const { table, columns, rows: kind } of INDEX_TABLES) await this.copy(`COPY ${table} (resource_seq, ${columns}) FROM STDIN`, rows[kind]);
    await this.client.query('COMMIT');
  }

  private async writeStaged(rows: CopyRows): Promise<void> {
    await this.copy(`COPY load_resource (ord, ${RESOURCE_COLUMNS}) FROM STDIN`, rows.resources);
    for (const { table, columns, rows: kind } of INDEX_TABLES) await this.copy(`COPY load_${table} (resource_seq, ${columns}) FROM STDIN`, rows[kind]);
    await this.client.query(STORE_STAGED);
  }

  async close(): Promise<void> {
    // Temporary tables belong to the session: drop them before the connection goes back to the pool.
    await this.client.query('DISCARD TEMP').catch(() => undefined);
    this.client.release();
  }

  /** Streams COPY text, in slices so that the socket's backpressure holds. */
  private async copy(statement: string, text: Uint8Array): Promise<void> {
    if (text.length === 0) return;
    const stream = this.client.query(copyFrom(statement));
    const finished = once(stream, 'finish');
    for (let start = 0; start < text.length; start += COPY_SLICE_BYTES) {
      if (!stream.write(text.subarray(start, start + COPY_SLICE_BYTES))) await once(stream, 'drain');
    }
    stream.end();
    await finished;
  }
}

const COPY_SLICE_BYTES = 1 << 20;
