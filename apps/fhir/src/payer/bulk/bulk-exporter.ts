import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { compartmentCondition, payerCompartment } from '../../store/compartment';
import { pgPoolOf } from '../../store/prepared-statements';
import { attemptPrefix, type BulkFileStore } from './bulk-file.store';
import type { ExportedFile } from './bulk-job.repository';

export interface GroupExport {
  readonly jobId: string;
  readonly attempt: number;
  readonly clientId: string;
  /** The export's instant: the payer's links and the look-back are taken as they stand then. */
  readonly transactionTime: Date;
  readonly memberIds: readonly string[];
  readonly types: readonly string[];
  readonly since?: Date;
}

/** Resources between two heartbeats (also done at least every HEARTBEAT_MS). */
const HEARTBEAT_EVERY = 10_000;
const HEARTBEAT_MS = 2_000;
const NEWLINE = 0x0a;

export class ExportStoppedError extends Error {
  constructor() {
    super('the export was cancelled or handed to another worker');
    this.name = 'ExportStoppedError';
  }
}

/**
 * Writes one NDJSON file per resource type of a Group's members, as the payer's compartment lets
 * it see them at the export's instant: the rows are selected with the store's own compartment
 * condition (links, consent period and policy, five-year look-back), restricted to the Group's
 * members. PostgreSQL streams them with `COPY ... TO STDOUT` and the bytes go to the file as they
 * come, with backpressure, never decoded or held: memory stays flat however large the export, and
 * the database and the writer work at the same time (a cursor would alternate between them).
 * `heartbeat` is called as it goes; when it answers false the export stops.
 */
export class BulkExporter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: BulkFileStore,
  ) {}

  async export(job: GroupExport, heartbeat: (exported: number) => Promise<boolean>, signal: AbortSignal): Promise<ExportedFile[]> {
    const client = await pgPoolOf(this.dataSource).connect();
    let broken = false;
    const written: ExportedFile[] = [];
    let lastBeat = Date.now();
    const beat = async (exported: number) => {
      lastBeat = Date.now();
      if (signal.aborted || !(await heartbeat(exported))) throw new ExportStoppedError();
    };
    try {
      let before = 0;
      for (const type of job.types) {
        const key = `${attemptPrefix(job.jobId, job.attempt)}/${type}.ndjson`;
        let file: Writable | undefined;
        let count = 0;
        let sinceBeat = 0;
        const rows = client.query(copyTo(this.copySql(client, job, type)));
        try {
          for await (const chunk of rows as AsyncIterable<Buffer>) {
            file ??= await this.files.writer(key);
            let lines = 0;
            for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) lines += 1;
            count += lines;
            sinceBeat += lines;
            if (!file.write(chunk)) await once(file, 'drain');
            if (sinceBeat >= HEARTBEAT_EVERY || Date.now() - lastBeat > HEARTBEAT_MS) {
              sinceBeat = 0;
              await beat(before + count);
            }
          }
        } catch (error) {
          // A COPY left unfinished leaves the connection mid-protocol: it is closed, not pooled.
          broken = true;
          rows.destroy();
          throw error;
        } finally {
          if (file) {
            file.end();
            await once(file, 'close');
          }
        }
        before += count;
        if (count > 0) written.push({ type, key, count });
        await beat(before);
      }
      return written;
    } finally {
      client.release(broken ? new Error('bulk export stopped mid-COPY') : undefined);
    }
  }

  /**
   * COPY takes no parameters, so the values are written as escaped literals. The CSV format with a
   * quote and a delimiter that compact JSON never holds raw (JSON escapes every control character)
   * writes each stored resource as it is, one per line.
   */
  private copySql(client: PoolClient, job: GroupExport, type: string): string {
    const literal = (value: unknown): string => {
      if (value instanceof Date) return client.escapeLiteral(value.toISOString());
      if (Array.isArray(value)) return `ARRAY[${value.map((item) => client.escapeLiteral(String(item))).join(',')}]::text[]`;
      return client.escapeLiteral(String(value));
    };
    const condition = compartmentCondition(payerCompartment(job.clientId, job.transactionTime), type, literal);
    const members = job.memberIds.length === 0 ? `'{}'::text[]` : literal(job.memberIds);
    // The Group's members are a filter, not an index condition (`IS TRUE` keeps the planner from
    // using it as one): as an index condition, each of the links' index scans walked the whole member
    // array (10,000 members: 44 s for 1 M claims); as a filter the array is hashed once (11 s).
    const select =
      `SELECT r.content::text FROM resource r WHERE r.resource_type = ${literal(type)} AND (r.patient_id = ANY(${members})) IS TRUE` +
      (condition ? ` AND ${condition}` : '') +
      (job.since ? ` AND r.last_updated >= ${literal(job.since)}::timestamptz` : '');
    return `COPY (${select}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
  }
}
