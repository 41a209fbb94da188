import type { DataSource, QueryRunner } from 'typeorm';
import { backoffDelay, sleep, type BackoffOptions } from '../backoff';
import { errorMessage, silentEventsLogger, type EventsLogger } from '../events-logger';
import { NotificationListener, type NotificationClient } from '../postgres/notification-listener';

/**
 * A claimed row. Every queue table has `id bigint`, `attempts integer`, `next_attempt_at timestamptz`,
 * `sent_at timestamptz` and `last_error text`: a row is due while `sent_at` is null and
 * `next_attempt_at` has passed.
 */
export interface QueuedRow {
  id: string;
  attempts: number;
}

export interface QueueClaim {
  /** Select list over the table aliased `q`; must yield `id` and `attempts`. */
  columns: string;
  /** An extra condition on `q` (and `$2`… parameters of `claimParams`) a due row must meet. */
  where?: string;
  /** Claim order over `q`. Default: `q.next_attempt_at, q.id` (oldest due first). */
  orderBy?: string;
}

export interface QueueOutcome<Row extends QueuedRow> {
  /** Rows handled for good: marked sent. */
  done: Row[];
  /** Rows whose handling failed: retried after the backoff of their attempt count. */
  failed: Array<{ row: Row; error: unknown }>;
  // Claimed rows in neither list stay as they were (due again on the next pass).
}

export interface QueueWorkerOptions<Row extends QueuedRow> {
  /** The service's data source (its `search_path` selects the schema holding the table). */
  dataSource: DataSource;
  /** Unqualified table name with the queue columns. */
  table: string;
  /** Names the worker in its log lines. */
  name: string;
  claim: QueueClaim;
  /**
   * Handles the claimed rows while they are locked, inside the claim's transaction (`runner`): what
   * it writes through `runner` commits with the outcome.
   */
  handle: (rows: Row[], runner: QueryRunner) => Promise<QueueOutcome<Row>>;
  /** Rows claimed per transaction. Default 100. */
  batchSize?: number;
  /** Safety-net polling, also the longest wait before a retry falls due. Default 1 s. */
  pollIntervalMs?: number;
  /** Delay before retrying a failed row, by its attempt count; also paces a failing database. */
  backoff: BackoffOptions;
  /** LISTEN on this channel (given the schema) so that commits wake the worker at once. */
  listenChannel?: (schema: string) => string;
  /** Rows sent more than this long ago are deleted (hourly); null keeps them. Default 7 days. */
  retainSentMs?: number | null;
  logger?: EventsLogger;
}

export interface QueueBatchResult {
  /** Due rows this worker locked. */
  claimed: number;
  done: number;
  failed: number;
  /** The soonest retry a failure of this batch scheduled, if any. */
  nextRetryInMs?: number;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1_000;
const PURGE_EVERY_MS = 60 * 60 * 1_000;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One PostgreSQL-backed work queue loop, shared by every table that is worked off after commit
 * (the event outbox, the mail outbox): claim due rows with `FOR UPDATE SKIP LOCKED` in a
 * transaction, hand them to `handle` while they are locked, then mark each sent or record the
 * failure (`attempts`, `last_error`, an exponentially later `next_attempt_at`) in the same
 * transaction. Several workers, in any number of processes, may share a table: a row is held by one
 * at a time. Handling is at least once (a crash between the handler's effect and the commit repeats
 * it), and there is no attempt limit: a row stays queued, with its last error, until it succeeds.
 */
export class QueueWorker<Row extends QueuedRow> {
  private readonly options: Required<Omit<QueueWorkerOptions<Row>, 'listenChannel'>> & Pick<QueueWorkerOptions<Row>, 'listenChannel'>;
  private readonly claimSql: string;

  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private stopSignal = new AbortController();
  private readonly listener: NotificationListener | undefined;
  private lastPurge = 0;
  private failing = false;

  constructor(options: QueueWorkerOptions<Row>) {
    if (!IDENTIFIER.test(options.table)) throw new Error(`Invalid queue table name "${options.table}"`);
    this.options = {
      ...options,
      batchSize: options.batchSize ?? 100,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      retainSentMs: options.retainSentMs === undefined ? WEEK_MS : options.retainSentMs,
      logger: options.logger ?? silentEventsLogger,
    };
    const { listenChannel } = options;
    if (listenChannel) {
      this.listener = new NotificationListener({
        connect: async () => {
          const runner = options.dataSource.createQueryRunner();
          const client = (await runner.connect()) as NotificationClient;
          return { client, query: (sql) => runner.query(sql), release: () => runner.release() };
        },
        channel: async (connection) => listenChannel(((await connection.query(`SELECT current_schema() AS schema`)) as Array<{ schema: string }>)[0].schema),
        onNotification: () => this.notify(),
        running: () => this.running,
        logger: this.options.logger,
        lostMessage: `${options.name} is not listening for commits; polling until it can again`,
      });
    }
    const { table, claim } = options;
    this.claimSql = `
      SELECT ${claim.columns}
      FROM ${table} q
      WHERE q.sent_at IS NULL AND q.next_attempt_at <= now()${claim.where ? ` AND (${claim.where})` : ''}
      ORDER BY ${claim.orderBy ?? 'q.next_attempt_at, q.id'}
      LIMIT $1
      FOR UPDATE OF q SKIP LOCKED`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts working in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopSignal = new AbortController();
    await this.listener?.ensure();
    this.loop = this.run();
  }

  /** Stops after the batch in progress; rows it did not get to stay for the next worker. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopSignal.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    await this.listener?.stop();
  }

  /** Asks for a pass now (e.g. right after committing a row in this process). */
  notify(): void {
    this.nudged = true;
    this.wake?.();
  }

  /**
   * Works batches until one completes nothing (none due, or every claimed row failed or was left);
   * returns how many rows were done.
   */
  async drain(): Promise<number> {
    return (await this.drainWithRetry()).done;
  }

  /** One transaction: claim a batch of due rows, handle them, record each outcome. */
  async processBatch(): Promise<QueueBatchResult> {
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const claimed: Row[] = (await runner.query(this.claimSql, [this.options.batchSize])).map((row: Row) => ({ ...row, id: String(row.id) }));
      if (claimed.length === 0) {
        await runner.commitTransaction();
        return { claimed: 0, done: 0, failed: 0 };
      }
      const outcome = await this.options.handle(claimed, runner);
      const { table } = this.options;
      if (outcome.done.length > 0) {
        await runner.query(`UPDATE ${table} SET sent_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`, [
          outcome.done.map((row) => row.id),
        ]);
      }
      const delays = outcome.failed.map(({ row }) => backoffDelay(row.attempts + 1, this.options.backoff));
      if (outcome.failed.length > 0) {
        await runner.query(
          `UPDATE ${table} AS q
           SET attempts = q.attempts + 1, last_error = f.error,
               next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
           FROM unnest($1::bigint[], $2::int[], $3::text[]) AS f(id, delay_ms, error)
           WHERE q.id = f.id`,
          [outcome.failed.map(({ row }) => row.id), delays, outcome.failed.map(({ error }) => errorMessage(error).slice(0, 2_000))],
        );
      }
      await runner.commitTransaction();
      this.report(outcome, delays);
      return {
        claimed: claimed.length,
        done: outcome.done.length,
        failed: outcome.failed.length,
        ...(delays.length > 0 ? { nextRetryInMs: Math.min(...delays) } : {}),
      };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Rows not yet sent (for metrics and readiness detail). */
  async countPending(): Promise<number> {
    const rows: Array<{ count: string }> = await this.options.dataSource.query(`SELECT count(*) AS count FROM ${this.options.table} WHERE sent_at IS NULL`);
    return Number(rows[0].count);
  }

  /** Deletes rows sent more than `olderThanMs` ago; returns how many. */
  async purgeSent(olderThanMs: number): Promise<number> {
    const result: [unknown[], number] = await this.options.dataSource.query(
      `DELETE FROM ${this.options.table} WHERE sent_at IS NOT NULL AND sent_at < now() - $1 * interval '1 millisecond'`,
      [olderThanMs],
    );
    return result[1];
  }

  private async drainWithRetry(): Promise<{ done: number; nextRetryInMs?: number }> {
    let done = 0;
    let nextRetryInMs: number | undefined;
    while (this.running || this.loop === undefined) {
      const result = await this.processBatch();
      done += result.done;
      if (result.nextRetryInMs !== undefined) nextRetryInMs = Math.min(nextRetryInMs ?? Infinity, result.nextRetryInMs);
      if (result.done === 0) break;
    }
    return { done, nextRetryInMs };
  }

  private async run(): Promise<void> {
    let databaseFailures = 0;
    while (this.running) {
      this.nudged = false;
      let wait = this.options.pollIntervalMs;
      try {
        const { nextRetryInMs } = await this.drainWithRetry();
        if (nextRetryInMs !== undefined) wait = Math.min(wait, nextRetryInMs);
        await this.purgeIfDue();
        if (databaseFailures > 0) this.options.logger.info(`${this.options.name} reaches its database again`);
        databaseFailures = 0;
      } catch (error) {
        databaseFailures++;
        wait = backoffDelay(databaseFailures, this.options.backoff);
        this.options.logger.warn(`${this.options.name} pass failed`, { attempt: databaseFailures, retryInMs: wait, error: errorMessage(error) });
      }
      if (!this.running) break;
      await this.listener?.ensure();
      if (this.nudged) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void sleep(wait, this.stopSignal.signal).then(resolve);
      });
      this.wake = undefined;
    }
  }

  private async purgeIfDue(): Promise<void> {
    if (this.options.retainSentMs === null || Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    const purged = await this.purgeSent(this.options.retainSentMs);
    if (purged > 0) this.options.logger.debug(`${this.options.name} purged sent rows`, { purged });
  }

  private report(outcome: QueueOutcome<Row>, delays: number[]): void {
    if (outcome.failed.length > 0) {
      this.failing = true;
      this.options.logger.warn(`${this.options.name}: handling failed; the rows will be retried`, {
        rows: outcome.failed.map(({ row }) => row.id),
        attempts: outcome.failed.map(({ row }) => row.attempts + 1),
        retryInMs: delays,
        error: errorMessage(outcome.failed[0].error),
      });
    } else if (outcome.done.length > 0 && this.failing) {
      this.failing = false;
      this.options.logger.info(`${this.options.name} recovered`, { done: outcome.done.length });
    }
  }
}
