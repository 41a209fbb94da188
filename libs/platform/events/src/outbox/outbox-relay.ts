import type { DataSource, QueryRunner } from 'typeorm';
import { backoffDelay, sleep, type BackoffOptions } from '../backoff';
import type { EventBus, EventHeaders } from '../event-bus';
import { errorMessage, silentEventsLogger, type EventsLogger } from '../events-logger';
import { outboxChannel } from './outbox-writer';
import { groupByTopic, planPublication } from './publication-plan';

export interface OutboxRelayOptions {
  /** The service's data source (its `search_path` selects the schema holding `outbox`). */
  dataSource: DataSource;
  bus: Pick<EventBus, 'publish'>;
  logger?: EventsLogger;
  /** Safety-net polling; commits normally wake the relay at once through LISTEN/NOTIFY. Default 1 s. */
  pollIntervalMs?: number;
  /** Rows locked and published per transaction. Default 100. */
  batchSize?: number;
  /** Delay before retrying a row whose publication failed, by attempt. Default 1 s doubling to 1 min. */
  backoff?: BackoffOptions;
  /** LISTEN for commits of the outbox (off behind a transaction-pooling proxy). Default true. */
  listen?: boolean;
  /** Sent rows are deleted after this long; null keeps them. Default 7 days. */
  retainSentMs?: number | null;
}

export interface RelayBatchResult {
  /** Due rows this relay locked. */
  locked: number;
  published: number;
  failed: number;
}

interface LockedRow {
  id: string;
  topic: string;
  key: string;
  payload: object;
  headers: EventHeaders;
  attempts: number;
}

const DEFAULT_RELAY_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.2 };
const WEEK_MS = 7 * 24 * 60 * 60 * 1_000;
const PURGE_EVERY_MS = 60 * 60 * 1_000;

// Due rows, oldest first, skipping rows another relay holds and every row of a key whose older
// row is backing off (so that one failing key neither reorders nor starves the others).
const LOCK_DUE_ROWS = `
  SELECT o.id, o.topic, o.message_key AS key, o.payload, o.headers, o.attempts
  FROM outbox o
  WHERE o.sent_at IS NULL
    AND o.next_attempt_at <= now()
    AND NOT EXISTS (
      SELECT 1 FROM outbox p
      WHERE p.sent_at IS NULL AND p.topic = o.topic AND p.message_key = o.message_key
        AND p.id < o.id AND p.next_attempt_at > now())
  ORDER BY o.id
  LIMIT $1
  FOR UPDATE OF o SKIP LOCKED`;

// Every unsent row of the locked rows' keys up to the newest locked one, locked by anyone or not:
// what planPublication needs to see the gaps another relay's locks leave.
const UNSENT_OF_KEYS = `
  SELECT o.id, o.topic, o.message_key AS key
  FROM outbox o
  JOIN unnest($2::text[], $3::text[]) AS k(topic, message_key) ON o.topic = k.topic AND o.message_key = k.message_key
  WHERE o.sent_at IS NULL AND o.id <= $1
  ORDER BY o.id`;

/**
 * Publishes the transactional outbox (ARCHITECTURE.md "Events"): locks due rows with
 * `FOR UPDATE SKIP LOCKED`, publishes them keeping per-key order, marks them sent, and on failure
 * records `attempts`, `last_error` and an exponentially later `next_attempt_at`. Several relays may
 * share a table; each row is normally published once, and at least once in any case (a crash between
 * the broker's acknowledgement and the commit republishes), so consumers deduplicate.
 */
export class OutboxRelay {
  private readonly dataSource: DataSource;
  private readonly bus: Pick<EventBus, 'publish'>;
  private readonly logger: EventsLogger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly backoff: BackoffOptions;
  private readonly listenForCommits: boolean;
  private readonly retainSentMs: number | null;

  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private stopSignal = new AbortController();
  private listener: QueryRunner | undefined;
  private lastPurge = 0;
  private failing = false;
  private listenLostReported = false;

  constructor(options: OutboxRelayOptions) {
    this.dataSource = options.dataSource;
    this.bus = options.bus;
    this.logger = options.logger ?? silentEventsLogger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
    this.backoff = options.backoff ?? DEFAULT_RELAY_BACKOFF;
    this.listenForCommits = options.listen ?? true;
    this.retainSentMs = options.retainSentMs === undefined ? WEEK_MS : options.retainSentMs;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts relaying in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopSignal = new AbortController();
    if (this.listenForCommits) await this.listen().catch((error: unknown) => this.listenLost(error));
    this.loop = this.run();
  }

  /** Stops after the batch in progress; rows it could not publish stay for the next relay. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopSignal.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    await this.unlisten();
  }

  /** Asks for a pass now (e.g. right after committing an outbox row in this process). */
  notify(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Publishes everything due until a pass publishes nothing; returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.relayBatch();
      total += result.published;
      if (result.published === 0) return total;
    }
  }

  /** One transaction: lock a batch of due rows, publish what per-key order allows, record the outcome. */
  async relayBatch(): Promise<RelayBatchResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const locked: LockedRow[] = await runner.query(LOCK_DUE_ROWS, [this.batchSize]);
      if (locked.length === 0) {
        await runner.commitTransaction();
        return { locked: 0, published: 0, failed: 0 };
      }
      const keys = [...new Map(locked.map((row) => [`${row.topic}\u0000${row.key}`, row])).values()];
      const unsent: Array<{ id: string; topic: string; key: string }> = await runner.query(UNSENT_OF_KEYS, [
        locked[locked.length - 1].id,
        keys.map((row) => row.topic),
        keys.map((row) => row.key),
      ]);
      const publishable = planPublication(
        locked.map((row) => ({ ...row, id: String(row.id) })),
        unsent.map((row) => ({ ...row, id: String(row.id) })),
      );

      const sent: string[] = [];
      const failed: Array<{ row: LockedRow; error: string }> = [];
      for (const [topic, rows] of groupByTopic(publishable)) {
        const outcome = await this.publishTopic(topic, rows);
        sent.push(...outcome.sent);
        failed.push(...outcome.failed);
      }

      if (sent.length > 0) {
        await runner.query(
          `UPDATE outbox SET sent_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`,
          [sent],
        );
      }
      const retryDelays = failed.map(({ row }) => backoffDelay(row.attempts + 1, this.backoff));
      if (failed.length > 0) {
        await runner.query(
          `UPDATE outbox AS o
           SET attempts = o.attempts + 1, last_error = f.error,
               next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
           FROM unnest($1::bigint[], $2::int[], $3::text[]) AS f(id, delay_ms, error)
           WHERE o.id = f.id`,
          [failed.map(({ row }) => row.id), retryDelays, failed.map(({ error }) => error.slice(0, 2_000))],
        );
      }
      await runner.commitTransaction();
      this.report(sent.length, failed, retryDelays);
      return { locked: locked.length, published: sent.length, failed: failed.length };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * Publishes a topic's rows in one call. If that fails and several keys are involved, tries key by
   * key, so that one key's bad event (too large, refused) does not hold the other keys back; two
   * keys failing in a row mean the broker is the problem, and the rest are not tried this pass.
   */
  private async publishTopic(topic: string, rows: LockedRow[]): Promise<{ sent: string[]; failed: Array<{ row: LockedRow; error: string }> }> {
    const publish = (batch: LockedRow[]) =>
      this.bus.publish(
        topic,
        batch.map((row) => ({ key: row.key, value: row.payload, headers: row.headers })),
      );
    try {
      await publish(rows);
      return { sent: rows.map((row) => row.id), failed: [] };
    } catch (batchError) {
      const byKey = new Map<string, LockedRow[]>();
      for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
      if (byKey.size === 1) return { sent: [], failed: rows.map((row) => ({ row, error: errorMessage(batchError) })) };
      const sent: string[] = [];
      const failed: Array<{ row: LockedRow; error: string }> = [];
      let failuresInARow = 0;
      for (const keyRows of byKey.values()) {
        if (failuresInARow >= 2) {
          failed.push(...keyRows.map((row) => ({ row, error: errorMessage(batchError) })));
          continue;
        }
        try {
          await publish(keyRows);
          sent.push(...keyRows.map((row) => row.id));
          failuresInARow = 0;
        } catch (error) {
          failed.push(...keyRows.map((row) => ({ row, error: errorMessage(error) })));
          failuresInARow++;
        }
      }
      return { sent, failed };
    }
  }

  /** Rows not yet published (for metrics and readiness detail). */
  async countUnsent(): Promise<number> {
    const rows: Array<{ count: string }> = await this.dataSource.query(`SELECT count(*) AS count FROM outbox WHERE sent_at IS NULL`);
    return Number(rows[0].count);
  }

  /** Deletes rows sent more than `olderThanMs` ago; returns how many. */
  async purgeSent(olderThanMs: number): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - $1 * interval '1 millisecond'`,
      [olderThanMs],
    );
    return result[1];
  }

  private async run(): Promise<void> {
    let databaseFailures = 0;
    while (this.running) {
      this.nudged = false;
      try {
        await this.drain();
        await this.purgeIfDue();
        if (databaseFailures > 0) this.logger.info('Outbox relay reaches its database again');
        databaseFailures = 0;
      } catch (error) {
        databaseFailures++;
        this.logger.warn('Outbox relay pass failed', { attempt: databaseFailures, error: errorMessage(error) });
      }
      if (!this.running) break;
      if (this.listenForCommits && !this.listener) await this.listen().catch((error: unknown) => this.listenLost(error));
      if (this.nudged) continue;
      const wait = databaseFailures > 0 ? backoffDelay(databaseFailures, this.backoff) : this.pollIntervalMs;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void sleep(wait, this.stopSignal.signal).then(resolve);
      });
      this.wake = undefined;
    }
  }

  private async purgeIfDue(): Promise<void> {
    if (this.retainSentMs === null || Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    const purged = await this.purgeSent(this.retainSentMs);
    if (purged > 0) this.logger.debug('Purged sent outbox rows', { purged });
  }

  private report(published: number, failed: Array<{ row: LockedRow; error: string }>, nextDelays: number[]): void {
    if (failed.length > 0) {
      this.failing = true;
      this.logger.warn('Publishing outbox rows failed; they will be retried', {
        rows: failed.map(({ row }) => row.id),
        attempts: failed.map(({ row }) => row.attempts + 1),
        retryInMs: nextDelays,
        error: failed[0].error,
      });
    } else if (published > 0 && this.failing) {
      this.failing = false;
      this.logger.info('Outbox publishing recovered', { published });
    }
  }

  private async listen(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as NotificationClient;
      const rows: Array<{ schema: string }> = await runner.query(`SELECT current_schema() AS schema`);
      const channel = outboxChannel(rows[0].schema);
      client.on('notification', (message) => {
        if (message.channel === channel) this.notify();
      });
      const lost = (error?: unknown) => {
        if (this.listener === runner) this.listenLost(error ?? new Error('connection ended'));
      };
      client.on('error', lost);
      client.on('end', lost);
      await runner.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      this.listener = runner;
      this.listenLostReported = false;
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
  }

  private listenLost(error: unknown): void {
    const runner = this.listener;
    this.listener = undefined;
    if (runner) void runner.release().catch(() => undefined);
    // Once per loss, not once per failed reconnection while the database is away.
    if (this.running && !this.listenLostReported) {
      this.listenLostReported = true;
      this.logger.warn('Outbox relay is not listening for commits; polling until it can again', { error: errorMessage(error) });
    }
  }

  private async unlisten(): Promise<void> {
    const runner = this.listener;
    this.listener = undefined;
    if (!runner) return;
    await runner.query('UNLISTEN *').catch(() => undefined);
    await runner.release().catch(() => undefined);
  }
}

/** The part of a `pg` client the relay listens on. */
interface NotificationClient {
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}
