import type { DataSource, QueryRunner } from 'typeorm';
import type { BackoffOptions } from '../backoff';
import type { EventBus, EventHeaders } from '../event-bus';
import { errorMessage, silentEventsLogger, type EventsLogger } from '../events-logger';
import { QueueWorker, type QueueOutcome } from '../queue/queue-worker';
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

// Due rows, oldest first, skipping every row of a key whose older row is backing off (so that one
// failing key neither reorders nor starves the others). The worker adds the due and lock rules.
const CLAIM = {
  columns: 'q.id, q.topic, q.message_key AS key, q.payload, q.headers, q.attempts',
  where: `NOT EXISTS (
      SELECT 1 FROM outbox p
      WHERE p.sent_at IS NULL AND p.topic = q.topic AND p.message_key = q.message_key
        AND p.id < q.id AND p.next_attempt_at > now())`,
  orderBy: 'q.id',
};

// Every unsent row of the locked rows' keys up to the newest locked one, locked by anyone or not:
// what planPublication needs to see the gaps another relay's locks leave.
const UNSENT_OF_KEYS = `
  SELECT o.id, o.topic, o.message_key AS key
  FROM outbox o
  JOIN unnest($2::text[], $3::text[]) AS k(topic, message_key) ON o.topic = k.topic AND o.message_key = k.message_key
  WHERE o.sent_at IS NULL AND o.id <= $1
  ORDER BY o.id`;

/**
 * Publishes the transactional outbox (docs/architecture.md#events): a `QueueWorker` over the `outbox`
 * table (claim with `FOR UPDATE SKIP LOCKED`, retry with backoff, LISTEN/NOTIFY wake-ups) whose
 * handler publishes the locked rows keeping per-key order. Several relays may share a table; each
 * row is normally published once, and at least once in any case (a crash between the broker's
 * acknowledgement and the commit republishes), so consumers deduplicate.
 */
export class OutboxRelay {
  private readonly bus: Pick<EventBus, 'publish'>;
  private readonly worker: QueueWorker<LockedRow>;

  constructor(options: OutboxRelayOptions) {
    this.bus = options.bus;
    this.worker = new QueueWorker<LockedRow>({
      dataSource: options.dataSource,
      table: 'outbox',
      name: 'Outbox relay',
      claim: CLAIM,
      handle: (rows, runner) => this.publish(rows, runner),
      batchSize: options.batchSize ?? 100,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      backoff: options.backoff ?? DEFAULT_RELAY_BACKOFF,
      listenChannel: (options.listen ?? true) ? outboxChannel : undefined,
      retainSentMs: options.retainSentMs,
      logger: options.logger ?? silentEventsLogger,
    });
  }

  get isRunning(): boolean {
    return this.worker.isRunning;
  }

  /** Starts relaying in the background. */
  start(): Promise<void> {
    return this.worker.start();
  }

  /** Stops after the batch in progress; rows it could not publish stay for the next relay. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Asks for a pass now (e.g. right after committing an outbox row in this process). */
  notify(): void {
    this.worker.notify();
  }

  /** Publishes everything due until a pass publishes nothing; returns how many were published. */
  drain(): Promise<number> {
    return this.worker.drain();
  }

  /** One transaction: lock a batch of due rows, publish what per-key order allows, record the outcome. */
  async relayBatch(): Promise<RelayBatchResult> {
    const result = await this.worker.processBatch();
    return { locked: result.claimed, published: result.done, failed: result.failed };
  }

  /** Rows not yet published (for metrics and readiness detail). */
  countUnsent(): Promise<number> {
    return this.worker.countPending();
  }

  /** Deletes rows sent more than `olderThanMs` ago; returns how many. */
  purgeSent(olderThanMs: number): Promise<number> {
    return this.worker.purgeSent(olderThanMs);
  }

  private async publish(locked: LockedRow[], runner: QueryRunner): Promise<QueueOutcome<LockedRow>> {
    const keys = [...new Map(locked.map((row) => [`${row.topic}\u0000${row.key}`, row])).values()];
    const unsent: Array<{ id: string; topic: string; key: string }> = await runner.query(UNSENT_OF_KEYS, [
      locked[locked.length - 1].id,
      keys.map((row) => row.topic),
      keys.map((row) => row.key),
    ]);
    const publishable = planPublication(locked, unsent.map((row) => ({ ...row, id: String(row.id) })));
    const outcome: QueueOutcome<LockedRow> = { done: [], failed: [] };
    for (const [topic, rows] of groupByTopic(publishable)) {
      const result = await this.publishTopic(topic, rows);
      outcome.done.push(...result.done);
      outcome.failed.push(...result.failed);
    }
    return outcome;
  }

  /**
   * Publishes a topic's rows in one call. If that fails and several keys are involved, tries key by
   * key, so that one key's bad event (too large, refused) does not hold the other keys back; two
   * keys failing in a row mean the broker is the problem, and the rest are not tried this pass.
   */
  private async publishTopic(topic: string, rows: LockedRow[]): Promise<QueueOutcome<LockedRow>> {
    const publish = (batch: LockedRow[]) =>
      this.bus.publish(
        topic,
        batch.map((row) => ({ key: row.key, value: row.payload, headers: row.headers })),
      );
    try {
      await publish(rows);
      return { done: rows, failed: [] };
    } catch (batchError) {
      const byKey = new Map<string, LockedRow[]>();
      for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
      if (byKey.size === 1) return { done: [], failed: rows.map((row) => ({ row, error: errorMessage(batchError) })) };
      const outcome: QueueOutcome<LockedRow> = { done: [], failed: [] };
      let failuresInARow = 0;
      for (const keyRows of byKey.values()) {
        if (failuresInARow >= 2) {
          outcome.failed.push(...keyRows.map((row) => ({ row, error: errorMessage(batchError) })));
          continue;
        }
        try {
          await publish(keyRows);
          outcome.done.push(...keyRows);
          failuresInARow = 0;
        } catch (error) {
          outcome.failed.push(...keyRows.map((row) => ({ row, error: errorMessage(error) })));
          failuresInARow++;
        }
      }
      return outcome;
    }
  }
}
