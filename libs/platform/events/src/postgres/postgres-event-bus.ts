import { createHash } from 'node:crypto';
import { Client, Pool, type PoolClient } from 'pg';
import { createDataSource, migrateDatabase } from '@payer-access/database';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffOptions } from '../backoff';
import { CatchUpTracker } from '../consumers/catch-up.tracker';
import {
  UnknownTopicError,
  type CatchUpOptions,
  type EventBus,
  type EventHeaders,
  type IncomingEvent,
  type OutgoingEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-bus';
import { errorMessage, silentEventsLogger, type EventsLogger } from '../events-logger';
import type { TopicSpec } from '../topics';
import { EVENT_LOG_MIGRATIONS } from './event-log.migration';
import { NotificationListener } from './notification-listener';

export interface PostgresEventBusOptions {
  /** `postgres://` URL of the database that holds the log (the services' own database). */
  databaseUrl: string;
  /** Schema of the log's tables, created and migrated by the bus. Default `event_log`. */
  schema?: string;
  logger?: EventsLogger;
  /** Delay between attempts of a failing handler (the event is retried, never skipped). */
  handlerBackoff?: BackoffOptions;
  /** Safety-net polling; appends normally wake consumers at once through LISTEN/NOTIFY. Default 1 s. */
  pollIntervalMs?: number;
  /** LISTEN for appends (off behind a transaction-pooling proxy, which leaves only polling). Default true. */
  listen?: boolean;
  /** Events fetched per read. Default 200. */
  batchSize?: number;
  /** Largest event (key, value and headers) accepted, as a broker's `message.max.bytes`. Default 1 MiB. */
  maxEventBytes?: number;
  /** Connections of the bus's own pool. Default 4. */
  poolSize?: number;
  /**
   * Offsets of a group that committed nothing for this long are forgotten, as Kafka's
   * `offsets.retention.minutes` does (projections use a new group per process start). Default 7 days.
   */
  groupRetentionMs?: number;
}

interface TopicMeta {
  numPartitions: number;
  compacted: boolean;
  /** `min.compaction.lag.ms`: how long a key's superseded events stay readable. */
  compactionLagMs: number;
  /** `retention.ms` of a delete-policy topic; undefined keeps events forever. */
  retentionMs: number | undefined;
}

interface StoredRow {
  partition: number;
  offset: string;
  key: Buffer;
  value: string;
  headers: string;
  timestamp_ms: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DAY_MS = 24 * 60 * 60 * 1_000;
const MAINTENANCE_EVERY_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** The database's clock, in milliseconds: every timestamp and retention cut-off uses this one clock. */
const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * The event bus on a PostgreSQL log, for the one-process platform (`npm start` without
 * `KAFKA_BROKERS`): topics, events and consumer-group offsets live in the database, so a restart
 * loses nothing. It keeps the Kafka adapter's contract (`event-bus.contract.ts`): topics must be
 * created first; offsets per partition, in publish order per key; `fromBeginning` applies only to a
 * group without committed offsets; handlers are awaited per event and retried with backoff, never
 * skipped; `isCaughtUp` against the high-water marks at subscription time.
 *
 * Cleanup follows the topic's settings, with its own timing: a compacted topic keeps a key's
 * superseded events for `min.compaction.lag.ms` (so a consumer a little behind still sees every
 * transition) and then only the latest, deleted at the key's next append or the next maintenance
 * pass; a delete-policy topic's events older than `retention.ms` are never delivered and are purged
 * at the next append or maintenance pass.
 *
 * Kafka remains the engine beyond one process: this log has no group membership, so two processes
 * subscribing with one group both receive every event.
 */
export class PostgresEventBus implements EventBus {
  private readonly logger: EventsLogger;
  private readonly handlerBackoff: BackoffOptions;
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly groupRetentionMs: number;
  private readonly maxEventBytes: number;
  private readonly channel: string;
  private poolInstance: Pool | undefined;
  private migrated: Promise<void> | undefined;
  private readonly topics = new Map<string, TopicMeta>();
  private readonly subscriptions = new Set<PostgresSubscription>();
  private started = false;
  private readonly listener: NotificationListener;
  private ticker: NodeJS.Timeout | undefined;
  private lastMaintenance = 0;

  constructor(private readonly options: PostgresEventBusOptions) {
    this.logger = options.logger ?? silentEventsLogger;
    this.handlerBackoff = options.handlerBackoff ?? DEFAULT_BACKOFF;
    this.schema = options.schema ?? 'event_log';
    if (!SCHEMA_NAME.test(this.schema)) throw new Error(`Invalid event log schema "${this.schema}": use lower-case letters, digits and underscores`);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 200;
    this.groupRetentionMs = options.groupRetentionMs ?? 7 * DAY_MS;
    this.maxEventBytes = options.maxEventBytes ?? 1_048_576;
    this.channel = `${this.schema}_appended`;
    this.listener = new NotificationListener({
      connect: async () => {
        const client = new Client({ connectionString: options.databaseUrl, application_name: 'payer-access-event-log-listener', connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
        // Before connecting: a connection refused or lost at once is an 'error' event too.
        client.on('error', () => undefined);
        try {
          await client.connect();
        } catch (error) {
          await client.end().catch(() => undefined);
          throw error;
        }
        return { client, query: (sql) => client.query(sql), release: () => client.end() };
      },
      channel: () => this.channel,
      onNotification: (topic) => {
        if (topic) this.wakeTopic(topic);
      },
      running: () => this.started,
      logger: this.logger,
      lostMessage: 'Event log is not listening for appends; consumers poll until it can again',
    });
  }

  /** `event` → `"event_log".event` */
  table(name: 'topic' | 'topic_partition' | 'event' | 'group_offset'): string {
    return `"${this.schema}".${name}`;
  }

  get pool(): Pool {
    if (this.poolInstance) return this.poolInstance;
    const pool = new Pool({
      connectionString: this.options.databaseUrl,
      max: this.options.poolSize ?? 4,
      application_name: 'payer-access-event-log',
      // An unreachable database fails a read or publish (retried), rather than hanging it and a close.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // An idle connection the server ended must not take the process down.
    pool.on('error', (error) => this.logger.warn('Event log connection lost', { error: errorMessage(error) }));
    this.poolInstance = pool;
    return pool;
  }

  /** Creates the log's schema and tables on first use, once per database even with several processes. */
  migrate(): Promise<void> {
    this.migrated ??= this.runMigrations().catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  private async runMigrations(): Promise<void> {
    const lock = new Client({ connectionString: this.options.databaseUrl, application_name: 'payer-access-event-log-migrations', connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // A lost connection fails the migration's own queries; it must not also crash the process.
    lock.on('error', () => undefined);
    await lock.connect();
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [`payer-access.${this.schema}.migrations`]);
      const dataSource = createDataSource({ url: this.options.databaseUrl, schema: this.schema, migrations: EVENT_LOG_MIGRATIONS, poolSize: 1 });
      try {
        await migrateDatabase(dataSource);
      } finally {
        await dataSource.destroy().catch(() => undefined);
      }
    } finally {
      await lock.end().catch(() => undefined);
    }
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    for (const spec of specs) validateSpec(spec);
    await this.migrate();
    await this.transaction(async (client) => {
      for (const spec of specs) {
        // An existing topic takes the spec's settings (a longer token lifetime → longer retention);
        // its partition count stays, as Kafka's never shrinks and the platform never grows it.
        await client.query(
          `INSERT INTO ${this.table('topic')} (name, num_partitions, config) VALUES ($1, $2, $3::jsonb)
           ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config`,
          [spec.name, spec.numPartitions, JSON.stringify(spec.config)],
        );
        await client.query(
          `INSERT INTO ${this.table('topic_partition')} (topic, partition)
           SELECT name, generate_series(0, num_partitions - 1) FROM ${this.table('topic')} WHERE name = $1
           ON CONFLICT DO NOTHING`,
          [spec.name],
        );
      }
    });
    for (const spec of specs) this.topics.delete(spec.name);
    for (const spec of specs) this.wakeTopic(spec.name);
  }

  async publish(topic: string, events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const meta = await this.topicMeta(topic);
    if (!meta) throw new UnknownTopicError(topic);
    // Serialize everything before storing anything, so a bad value rejects the whole call.
    const rows = events.map((event) => {
      const value = JSON.stringify(event.value);
      if (typeof value !== 'string') throw new TypeError(`An event of "${topic}" has no JSON value`);
      const headers: EventHeaders = {};
      for (const [name, header] of Object.entries(event.headers ?? {})) headers[name] = String(header);
      const row = { partition: partitionFor(event.key, meta.numPartitions), key: Buffer.from(String(event.key), 'utf8'), value, headers: JSON.stringify(headers) };
      const size = row.key.length + Buffer.byteLength(row.value) + Buffer.byteLength(row.headers);
      if (size > this.maxEventBytes) throw new RangeError(`An event of "${topic}" is ${size} bytes, more than the ${this.maxEventBytes} a topic accepts`);
      return row;
    });
    const byPartition = new Map<number, typeof rows>();
    for (const row of rows) byPartition.set(row.partition, [...(byPartition.get(row.partition) ?? []), row]);

    await this.transaction(async (client) => {
      // Partitions locked in one order, so that concurrent publishers to several cannot deadlock.
      for (const partition of [...byPartition.keys()].sort((a, b) => a - b)) {
        const batch = byPartition.get(partition) ?? [];
        const reserved = await client.query<{ first: string }>(
          `UPDATE ${this.table('topic_partition')} SET next_offset = next_offset + $3
           WHERE topic = $1 AND partition = $2 RETURNING next_offset - $3 AS first`,
          [topic, partition, batch.length],
        );
        if (reserved.rowCount === 0) throw new UnknownTopicError(topic);
        const first = BigInt(reserved.rows[0].first);
        const offsets = batch.map((_, index) => String(first + BigInt(index)));
        await client.query(
          `INSERT INTO ${this.table('event')} (topic, partition, "offset", key, value, headers, timestamp_ms)
           SELECT $1, $2, e.o, e.k, e.v, e.h, ${NOW_MS}
           FROM unnest($3::bigint[], $4::bytea[], $5::text[], $6::text[]) AS e(o, k, v, h)`,
          [topic, partition, offsets, batch.map((row) => row.key), batch.map((row) => row.value), batch.map((row) => row.headers)],
        );
        if (meta.compacted) {
          const latest = new Map<string, { key: Buffer; offset: string }>();
          batch.forEach((row, index) => latest.set(row.key.toString('hex'), { key: row.key, offset: offsets[index] }));
          await client.query(
            `DELETE FROM ${this.table('event')} e USING unnest($3::bytea[], $4::bigint[]) AS l(k, o)
             WHERE e.topic = $1 AND e.partition = $2 AND e.key = l.k AND e."offset" < l.o AND e.timestamp_ms <= ${NOW_MS} - $5::bigint`,
            [topic, partition, [...latest.values()].map((entry) => entry.key), [...latest.values()].map((entry) => entry.offset), meta.compactionLagMs],
          );
        }
      }
      if (meta.retentionMs !== undefined) await this.purgeExpired(client, topic, meta.retentionMs);
      await client.query(`SELECT pg_notify($1, $2)`, [this.channel, topic]);
    });
    this.wakeTopic(topic);
  }

  /** A topic not created yet is waited for, as Kafka consumers retry. */
  async subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<Subscription> {
    for (const existing of this.subscriptions) {
      if (existing.topic === options.topic && existing.groupId === options.groupId) {
        throw new Error(`The PostgreSQL event log allows one subscription per group in a process; "${options.groupId}" already consumes "${options.topic}"`);
      }
    }
    const subscription = new PostgresSubscription(this, options as SubscribeOptions<unknown>, this.logger, this.handlerBackoff, this.pollIntervalMs, this.batchSize, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    if (this.started) subscription.run();
    return subscription;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.options.listen ?? true) await this.listener.ensure();
    this.ticker = setInterval(() => void this.tick(), this.pollIntervalMs);
    this.ticker.unref();
    for (const subscription of this.subscriptions) subscription.run();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.ticker);
    this.ticker = undefined;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.listener.stop();
    const pool = this.poolInstance;
    this.poolInstance = undefined;
    this.topics.clear();
    await pool?.end().catch(() => undefined);
  }

  /** The topic's settings as stored, cached; undefined when the topic does not exist. */
  async topicMeta(topic: string): Promise<TopicMeta | undefined> {
    const cached = this.topics.get(topic);
    if (cached) return cached;
    await this.migrate();
    const result = await this.pool.query<{ num_partitions: number; config: Record<string, string> }>(
      `SELECT num_partitions, config FROM ${this.table('topic')} WHERE name = $1`,
      [topic],
    );
    if (result.rowCount === 0) return undefined;
    const { num_partitions: numPartitions, config } = result.rows[0];
    const policies = (config['cleanup.policy'] ?? 'delete').split(',').map((policy) => policy.trim());
    const retention = config['retention.ms'];
    const lag = Number(config['min.compaction.lag.ms'] ?? 0);
    const meta: TopicMeta = {
      numPartitions,
      compacted: policies.includes('compact'),
      compactionLagMs: Number.isSafeInteger(lag) && lag > 0 ? lag : 0,
      retentionMs: policies.includes('delete') && retention !== undefined && retention !== '-1' ? Number(retention) : undefined,
    };
    this.topics.set(topic, meta);
    return meta;
  }

  /** SQL condition on `e.timestamp_ms` that hides events past the retention in `parameter` (null: none). */
  retainedCondition(parameter: string): string {
    return `(${parameter}::bigint IS NULL OR e.timestamp_ms >= ${NOW_MS} - ${parameter}::bigint)`;
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no listener of its own: a connection the server ends between two
    // statements would otherwise surface as an unhandled 'error' event.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.removeListener('error', onError);
      // A failed transaction's connection is not reused: it may be the one the server ended.
      client.release(broken);
    }
  }

  private async purgeExpired(client: Pick<PoolClient, 'query'>, topic: string, retentionMs: number): Promise<number> {
    const purged = await client.query(`DELETE FROM ${this.table('event')} WHERE topic = $1 AND timestamp_ms < ${NOW_MS} - $2::bigint`, [topic, retentionMs]);
    return purged.rowCount ?? 0;
  }

  /** Deletes every event superseded by a later one of its key for longer than the compaction lag. */
  async compact(topic: string, lagMs: number): Promise<number> {
    const compacted = await this.pool.query(
      `DELETE FROM ${this.table('event')} e
       WHERE e.topic = $1 AND e.timestamp_ms <= ${NOW_MS} - $2::bigint
         AND EXISTS (SELECT 1 FROM ${this.table('event')} n WHERE n.topic = e.topic AND n.partition = e.partition AND n.key = e.key AND n."offset" > e."offset")`,
      [topic, lagMs],
    );
    return compacted.rowCount ?? 0;
  }

  private wakeTopic(topic: string): void {
    for (const subscription of this.subscriptions) if (subscription.topic === topic) subscription.wake();
  }

  /** Reconnects a lost listener; purges expired events and forgotten groups now and then. */
  private async tick(): Promise<void> {
    if (!this.started) return;
    if (this.options.listen ?? true) await this.listener.ensure();
    if (Date.now() - this.lastMaintenance < MAINTENANCE_EVERY_MS) return;
    this.lastMaintenance = Date.now();
    try {
      await this.migrate();
      const topics = await this.pool.query<{ name: string }>(`SELECT name FROM ${this.table('topic')}`);
      for (const { name } of topics.rows) {
        const meta = await this.topicMeta(name);
        if (meta?.retentionMs !== undefined) await this.purgeExpired(this.pool, name, meta.retentionMs);
        if (meta?.compacted) await this.compact(name, meta.compactionLagMs);
      }
      await this.pool.query(`DELETE FROM ${this.table('group_offset')} WHERE updated_at < now() - $1 * interval '1 millisecond'`, [this.groupRetentionMs]);
    } catch (error) {
      this.logger.warn('Event log maintenance failed; retrying later', { error: errorMessage(error) });
    }
  }
}

function validateSpec(spec: TopicSpec): void {
  if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 249 || spec.name.includes('\u0000')) {
    throw new RangeError(`Invalid topic name ${JSON.stringify(spec.name)}`);
  }
  if (!Number.isSafeInteger(spec.numPartitions) || spec.numPartitions < 1 || spec.numPartitions > 1_000) {
    throw new RangeError(`Topic "${spec.name}" needs 1 to 1000 partitions, got ${spec.numPartitions}`);
  }
}

/** Stable key → partition, so every event of a key lands on one partition. */
function partitionFor(key: string, numPartitions: number): number {
  if (numPartitions === 1) return 0;
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) % numPartitions;
}

class PostgresSubscription implements Subscription {
  private readonly tracker = new CatchUpTracker();
  private readonly abort = new AbortController();
  /** Next offset to read per partition; set once the topic exists. */
  private positions: Map<number, bigint> | undefined;
  /** High-water marks at start: where each partition counts as caught up. */
  private targets = new Map<number, bigint>();
  /** Handled but not yet committed, per partition. */
  private readonly uncommitted = new Map<number, bigint>();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private closed = false;
  private failures = 0;

  constructor(
    private readonly bus: PostgresEventBus,
    private readonly options: SubscribeOptions<unknown>,
    private readonly logger: EventsLogger,
    private readonly backoff: BackoffOptions,
    private readonly pollIntervalMs: number,
    private readonly batchSize: number,
    private readonly detach: () => void,
  ) {}

  get topic(): string {
    return this.options.topic;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  isCaughtUp(): boolean {
    return this.tracker.isCaughtUp();
  }

  waitUntilCaughtUp(options: CatchUpOptions = {}): Promise<void> {
    return this.tracker.wait(this.topic, this.groupId, options.timeoutMs);
  }

  run(): void {
    if (this.loop || this.closed) return;
    this.loop = this.consume();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.wakeUp?.();
    await this.loop;
    await this.commit().catch((error: unknown) =>
      this.logger.warn('Could not commit handled offsets at close; they will be delivered again', this.fields({ error: errorMessage(error) })),
    );
    this.detach();
  }

  private async consume(): Promise<void> {
    while (!this.closed) {
      try {
        const progressed = await this.pass();
        if (this.failures > 0) this.logger.info('Event log reachable again', this.fields({}));
        this.failures = 0;
        if (!progressed) await this.idle(this.pollIntervalMs);
      } catch (error) {
        this.failures++;
        const delayMs = backoffDelay(this.failures, this.backoff);
        this.logger.warn('Reading the event log failed; retrying', this.fields({ attempt: this.failures, delayMs, error: errorMessage(error) }));
        await sleep(delayMs, this.abort.signal);
      }
    }
  }

  /** One read and its delivery; false when there was nothing to do. */
  private async pass(): Promise<boolean> {
    const meta = await this.bus.topicMeta(this.topic);
    if (!meta) return false;
    const positions = this.positions ?? (await this.attach(meta));
    this.woken = false;
    const partitions = [...positions.keys()];
    const read = await this.bus.pool.query<StoredRow>(
      `SELECT e.partition, e."offset", e.key, e.value, e.headers, e.timestamp_ms
       FROM unnest($2::int[], $3::bigint[]) AS p(partition, position)
       CROSS JOIN LATERAL (
         SELECT e.partition, e."offset", e.key, e.value, e.headers, e.timestamp_ms FROM ${this.bus.table('event')} e
         WHERE e.topic = $1 AND e.partition = p.partition AND e."offset" >= p.position AND ${this.bus.retainedCondition('$5')}
         ORDER BY e."offset" LIMIT $4) e
       ORDER BY e.partition, e."offset"`,
      [this.topic, partitions, partitions.map((partition) => String(positions.get(partition))), this.batchSize, meta.retentionMs ?? null],
    );
    // A partition without a retained event from its position on has nothing before its start
    // target left to read: retention or compaction removed it.
    const withEvents = new Set(read.rows.map((row) => row.partition));
    this.tracker.lowWatermarks(
      partitions.filter((partition) => !withEvents.has(partition)).map((partition) => ({ partition, low: String(this.targets.get(partition) ?? 0n) })),
    );
    for (const row of read.rows) {
      if (this.closed) break;
      const handled = await this.deliver(row);
      if (!handled) break;
      const next = BigInt(row.offset) + 1n;
      positions.set(row.partition, next);
      this.uncommitted.set(row.partition, next);
      this.tracker.handled(row.partition, row.offset);
    }
    await this.commit();
    return read.rows.length > 0;
  }

  /** The group's committed offsets, else the oldest retained or the end; and the catch-up targets. */
  private async attach(meta: TopicMeta): Promise<Map<number, bigint>> {
    const result = await this.bus.pool.query<{ partition: number; high: string; low: string; committed: string | null }>(
      `SELECT tp.partition, tp.next_offset AS high,
              coalesce((SELECT min(e."offset") FROM ${this.bus.table('event')} e
                        WHERE e.topic = tp.topic AND e.partition = tp.partition AND ${this.bus.retainedCondition('$3')}), tp.next_offset) AS low,
              g.committed
       FROM ${this.bus.table('topic_partition')} tp
       LEFT JOIN ${this.bus.table('group_offset')} g ON g.group_id = $2 AND g.topic = tp.topic AND g.partition = tp.partition
       WHERE tp.topic = $1
       ORDER BY tp.partition`,
      [this.topic, this.groupId, meta.retentionMs ?? null],
    );
    const positions = new Map<number, bigint>();
    for (const row of result.rows) {
      const start = row.committed !== null ? row.committed : this.options.fromBeginning ? row.low : row.high;
      positions.set(row.partition, BigInt(start));
      this.targets.set(row.partition, BigInt(row.high));
    }
    this.tracker.start(
      result.rows.map((row) => ({ partition: row.partition, high: row.high, low: row.low, committed: row.committed ?? undefined })),
      { fromBeginning: this.options.fromBeginning },
    );
    this.positions = positions;
    return positions;
  }

  private async deliver(row: StoredRow): Promise<boolean> {
    let value: unknown;
    let headers: EventHeaders;
    try {
      value = JSON.parse(row.value) as unknown;
      headers = JSON.parse(row.headers) as EventHeaders;
    } catch {
      // Not written by this bus; retrying cannot fix it, and it must not block the partition.
      this.logger.error('Skipping an event that is not JSON', this.fields({ partition: row.partition, offset: row.offset }));
      return true;
    }
    const event: IncomingEvent = {
      topic: this.topic,
      key: row.key.toString('utf8'),
      value,
      offset: row.offset,
      partition: row.partition,
      timestamp: Number(row.timestamp_ms),
      headers: typeof headers === 'object' && headers !== null ? { ...headers } : {},
    };
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.options.handler(event);
        return true;
      } catch (error) {
        const delayMs = backoffDelay(attempt, this.backoff);
        this.logger.warn('Event handler failed; retrying the same event', this.fields({ partition: row.partition, offset: row.offset, attempt, delayMs, error: errorMessage(error) }));
        // What was handled before this event is committed while this one waits.
        await this.commit().catch(() => undefined);
        await sleep(delayMs, this.abort.signal);
      }
    }
    return false;
  }

  private async commit(): Promise<void> {
    if (this.uncommitted.size === 0) return;
    const entries = [...this.uncommitted];
    await this.bus.pool.query(
      `INSERT INTO ${this.bus.table('group_offset')} (group_id, topic, partition, committed, updated_at)
       SELECT $1, $2, c.partition, c.committed, now() FROM unnest($3::int[], $4::bigint[]) AS c(partition, committed)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET committed = EXCLUDED.committed, updated_at = now()`,
      [this.groupId, this.topic, entries.map(([partition]) => partition), entries.map(([, offset]) => String(offset))],
    );
    for (const [partition, offset] of entries) if (this.uncommitted.get(partition) === offset) this.uncommitted.delete(partition);
  }

  private async idle(ms: number): Promise<void> {
    if (this.woken || this.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = undefined;
  }

  private fields(extra: Record<string, unknown>): Record<string, unknown> {
    return { topic: this.topic, groupId: this.groupId, ...extra };
  }
}
