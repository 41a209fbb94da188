import type { DataSource, EntityManager } from 'typeorm';

export type BulkJobKind = 'member-match' | 'export';
export type BulkJobStatus = 'accepted' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';

/** One exported file: its resource type, where the store keeps it, and how many resources it holds. */
export interface ExportedFile {
  readonly type: string;
  readonly key: string;
  readonly count: number;
}

export interface BulkJob {
  readonly id: string;
  readonly clientId: string;
  readonly kind: BulkJobKind;
  readonly status: BulkJobStatus;
  readonly requestUrl: string;
  readonly input: Record<string, unknown>;
  readonly transactionTime: Date;
  readonly attempts: number;
  readonly progress: string | null;
  readonly output: { files?: ExportedFile[]; groups?: string[] } | null;
  readonly error: string | null;
  readonly expiresAt: Date | null;
}

interface JobRow {
  id: string;
  client_id: string;
  kind: BulkJobKind;
  status: BulkJobStatus;
  request_url: string;
  input: Record<string, unknown>;
  transaction_time: Date;
  attempts: number;
  progress: string | null;
  output: BulkJob['output'];
  error: string | null;
  expires_at: Date | null;
}

const COLUMNS = 'id, client_id, kind, status, request_url, input, transaction_time, attempts, progress, output, error, expires_at';

function toJob(row: JobRow): BulkJob {
  return {
    id: row.id,
    clientId: row.client_id,
    kind: row.kind,
    status: row.status,
    requestUrl: row.request_url,
    input: row.input,
    transactionTime: row.transaction_time,
    attempts: row.attempts,
    progress: row.progress,
    output: row.output,
    error: row.error,
    expiresAt: row.expires_at,
  };
}

/**
 * The `bulk_job` table. A job is held by one worker at a time through a lease: claimed with
 * `FOR UPDATE SKIP LOCKED` in a short transaction (never a transaction held for the whole job, so
 * status reads and cancels never wait), renewed by each heartbeat, and taken over by another worker
 * once it runs out, which is how a job outlives the instance that crashed while running it. Every
 * write a worker makes is conditional on still holding the lease of a running job: a cancel, or a
 * lease lost, makes the worker's next write a no-op and the worker stops.
 */
export class BulkJobRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(job: { id: string; clientId: string; kind: BulkJobKind; requestUrl: string; input: Record<string, unknown> }): Promise<void> {
    await this.dataSource.query(`INSERT INTO bulk_job (id, client_id, kind, status, request_url, input) VALUES ($1, $2, $3, 'accepted', $4, $5)`, [
      job.id,
      job.clientId,
      job.kind,
      job.requestUrl,
      JSON.stringify(job.input),
    ]);
  }

  /** The job, if it is this client's: another client's job does not exist for it. */
  async findForClient(id: string, clientId: string): Promise<BulkJob | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
    const rows: JobRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM bulk_job WHERE id = $1 AND client_id = $2`, [id, clientId]);
    return rows[0] && toJob(rows[0]);
  }

  /**
   * Takes the oldest job that is waiting, or running under a lease that has run out, and leases it
   * to `owner`; the attempt count goes up by one.
   */
  async claim(owner: string, leaseSeconds: number): Promise<BulkJob | undefined> {
    const rows = returning<JobRow>(await this.dataSource.query(
      `UPDATE bulk_job SET status = 'running', attempts = attempts + 1, lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2)
       WHERE id = (
         SELECT id FROM bulk_job
         WHERE status = 'accepted' OR (status = 'running' AND lease_expires_at < now())
         ORDER BY created_at LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [owner, leaseSeconds],
    ));
    return rows[0] && toJob(rows[0]);
  }

  /** Renews the lease and records progress; false when the job is no longer this worker's to run. */
  async heartbeat(id: string, owner: string, leaseSeconds: number, progress: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(
      `UPDATE bulk_job SET lease_expires_at = now() + make_interval(secs => $3), progress = $4 WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, owner, leaseSeconds, progress],
    )) as [unknown, number];
    return count === 1;
  }

  /** Completes the job if it is still this worker's; `manager` lets the job's results commit with it. */
  async complete(id: string, owner: string, output: BulkJob['output'], ttlSeconds: number, manager: EntityManager | DataSource = this.dataSource): Promise<boolean> {
    const [, count] = (await manager.query(
      `UPDATE bulk_job SET status = 'completed', output = $3, progress = NULL, lease_owner = NULL, lease_expires_at = NULL,
         completed_at = now(), expires_at = now() + make_interval(secs => $4)
       WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, owner, JSON.stringify(output), ttlSeconds],
    )) as [unknown, number];
    return count === 1;
  }

  async fail(id: string, owner: string | null, error: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(
      `UPDATE bulk_job SET status = 'failed', error = $3, lease_owner = NULL, lease_expires_at = NULL, completed_at = now()
       WHERE id = $1 AND status = 'running' AND lease_owner IS NOT DISTINCT FROM $2`,
      [id, owner, error.slice(0, 1000)],
    )) as [unknown, number];
    return count === 1;
  }

  /** Gives the job back at once (this instance is stopping): the next worker need not wait for the lease. */
  async release(id: string, owner: string): Promise<void> {
    await this.dataSource.query(`UPDATE bulk_job SET lease_owner = NULL, lease_expires_at = now() - interval '1 second' WHERE id = $1 AND lease_owner = $2 AND status = 'running'`, [id, owner]);
  }

  /** Cancels a job of the client that is waiting, running or completed; false when there is none. */
  async cancel(id: string, clientId: string): Promise<boolean> {
    const rows = returning<{ id: string }>(await this.dataSource.query(
      `UPDATE bulk_job SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, completed_at = coalesce(completed_at, now())
       WHERE id = $1 AND client_id = $2 AND status IN ('accepted', 'running', 'completed') RETURNING id`,
      [id, clientId],
    ));
    return rows.length === 1;
  }

  /** Cancels every job the client started up to `before` (its suspension); returns their ids. */
  async cancelClient(clientId: string, before: Date): Promise<string[]> {
    const rows = returning<{ id: string }>(await this.dataSource.query(
      `UPDATE bulk_job SET status = 'cancelled', error = 'the client was suspended or terminated', lease_owner = NULL, lease_expires_at = NULL,
         completed_at = coalesce(completed_at, now())
       WHERE client_id = $1 AND status IN ('accepted', 'running', 'completed') AND created_at <= $2 RETURNING id`,
      [clientId, before],
    ));
    return rows.map((row) => row.id);
  }

  /**
   * Jobs that ended (cancelled, failed, expired) whose files no sweep has deleted yet. Their files
   * went when they ended, but a worker still writing when the cancel came may have left some behind,
   * and a deletion may have failed.
   */
  async unswept(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM bulk_job WHERE status IN ('cancelled', 'failed', 'expired') AND files_swept_at IS NULL ORDER BY created_at`,
    );
    return rows.map((row) => row.id);
  }

  /** Records that the job's files are deleted, so no sweep deletes them again. */
  async markSwept(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE bulk_job SET files_swept_at = now() WHERE id = $1`, [id]);
  }

  /** Marks completed jobs past their expiry as expired; returns their ids (their files are to be deleted). */
  async expire(): Promise<string[]> {
    const rows = returning<{ id: string }>(await this.dataSource.query(`UPDATE bulk_job SET status = 'expired' WHERE status = 'completed' AND expires_at <= now() RETURNING id`));
    return rows.map((row) => row.id);
  }
}

/** TypeORM answers an UPDATE with `[rows, affected]`. */
function returning<Row>(result: unknown): Row[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Row[];
}
