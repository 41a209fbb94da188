import { once } from 'node:events';
import type { Writable } from 'node:stream';
import QueryStream from 'pg-query-stream';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { compartmentCondition, payerCompartment } from '../../store/compartment';
import type { BulkFileStore } from './bulk-file.store';
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

/** Rows fetched from the cursor per round trip. */
const CURSOR_BATCH = 2000;
/** Bytes gathered before one write to the file. */
const WRITE_CHUNK = 256 * 1024;
/** Resources between two heartbeats (also done at least every HEARTBEAT_MS). */
const HEARTBEAT_EVERY = 10_000;
const HEARTBEAT_MS = 2_000;

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
 * members, and streamed from a PostgreSQL cursor, so memory stays flat however large the export.
 * `heartbeat` is called as it goes; when it answers false the export stops.
 */
export class BulkExporter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: BulkFileStore,
  ) {}

  async export(job: GroupExport, heartbeat: (exported: number) => Promise<boolean>, signal: AbortSignal): Promise<ExportedFile[]> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    const written: ExportedFile[] = [];
    let exported = 0;
    let lastBeat = Date.now();
    const beat = async () => {
      lastBeat = Date.now();
      if (signal.aborted || !(await heartbeat(exported))) throw new ExportStoppedError();
    };
    try {
      for (const type of job.types) {
        const values: unknown[] = [type, job.memberIds];
        const condition = compartmentCondition(payerCompartment(job.clientId, job.transactionTime), type, (value) => `$${values.push(value)}`);
        const since = job.since ? ` AND r.last_updated >= $${values.push(job.since)}::timestamptz` : '';
        const sql = `SELECT r.content::text AS json FROM resource r WHERE r.resource_type = $1 AND r.patient_id = ANY($2::text[])${condition ? ` AND ${condition}` : ''}${since}`;
        const stream = client.query(new QueryStream(sql, values, { batchSize: CURSOR_BATCH, rowMode: 'array' }));
        let file: Writable | undefined;
        const key = `${job.jobId}/a${job.attempt}/${type}.ndjson`;
        let count = 0;
        let chunk = '';
        const flush = async () => {
          file ??= await this.files.writer(key);
          if (!file.write(chunk)) await once(file, 'drain');
          chunk = '';
        };
        try {
          for await (const row of stream as AsyncIterable<[string]>) {
            // Stored JSON is compact (serialized by JSON.stringify): one resource is one line.
            chunk += `${row[0]}\n`;
            count += 1;
            exported += 1;
            if (chunk.length >= WRITE_CHUNK) await flush();
            if (count % HEARTBEAT_EVERY === 0 || Date.now() - lastBeat > HEARTBEAT_MS) await beat();
          }
          if (chunk.length > 0) await flush();
        } finally {
          stream.destroy();
          if (file) {
            file.end();
            await once(file, 'close');
          }
        }
        if (count > 0) written.push({ type, key, count });
        await beat();
      }
      return written;
    } finally {
      await runner.release();
    }
  }
}
