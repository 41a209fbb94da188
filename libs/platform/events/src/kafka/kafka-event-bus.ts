import {
  ConfigResourceTypes,
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
  type Producer,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffOptions } from '../backoff';
import { CatchUpTracker } from '../consumers/catch-up.tracker';
import type { CatchUpOptions, EventBus, EventHeaders, IncomingEvent, OutgoingEvent, SubscribeOptions, Subscription } from '../event-bus';
import { errorMessage, silentEventsLogger, type EventsLogger } from '../events-logger';
import type { EventsMetrics } from '../events-metrics';
import { reconciledTopicConfig, type TopicSpec } from '../topics';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { kafkaLogCreator } from './kafka-logger';

export interface KafkaEventBusOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /**
   * SASL credentials of this service: the broker's ACLs grant its principal the topics it may write
   * and read. Unset: no authentication (a broker without ACLs, such as a developer's).
   */
  sasl?: KafkaSaslCredentials;
  /** TLS to the brokers (a SASL_SSL listener). */
  ssl?: boolean;
  /** Shown in broker logs and quotas: the service name. */
  clientId: string;
  logger?: EventsLogger;
  /** Delay between attempts of a failing handler (the event is retried, never skipped). */
  handlerBackoff?: BackoffOptions;
  /**
   * How hard `publish` tries before rejecting. Kept short by default: the outbox relay has its own
   * backoff and should record a failed attempt rather than hold its row locks through an outage.
   */
  publishRetry?: { retries: number; initialRetryTime: number; maxRetryTime: number };
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Consumer group session timeout; a dead instance's partitions move after this long. Default 10 s. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * When a topic already exists, set the spec's configs that differ (e.g. a longer token lifetime
   * → longer retention), except that a retention never shrinks. Configs not in the spec are left
   * alone. Default true.
   */
  reconcileTopicConfigs?: boolean;
  /** Receives each subscription's consumer lag, per assigned partition. */
  metrics?: EventsMetrics;
  /** How often the lag is checked against the broker's high watermarks. Default 5 s. */
  lagRefreshIntervalMs?: number;
}

export interface KafkaSaslCredentials {
  mechanism: 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/**
 * The event bus on Kafka (kafkajs). One idempotent producer (acks=all, one request in flight, so
 * retries neither duplicate nor reorder a key's events); one consumer per subscription, whose handler
 * is awaited per event and whose offsets are committed only for handled events.
 */
export class KafkaEventBus implements EventBus {
  private readonly kafka: Kafka;
  /** The producer's own client: it fails fast while the broker is down (see `publishRetry`). */
  private readonly producerKafka: Kafka;
  private readonly logger: EventsLogger;
  private readonly options: KafkaEventBusOptions;
  private producer: Producer | undefined;
  private producerConnecting: Promise<Producer> | undefined;
  private admin: Admin | undefined;
  private adminConnecting: Promise<Admin> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private started = false;

  constructor(options: KafkaEventBusOptions) {
    this.options = options;
    this.logger = options.logger ?? silentEventsLogger;
    const client = {
      clientId: options.clientId,
      brokers: options.brokers,
      ssl: options.ssl ?? false,
      sasl: options.sasl ? kafkajsSasl(options.sasl) : undefined,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      logLevel: logLevel.INFO,
      logCreator: kafkaLogCreator(this.logger),
    };
    this.kafka = new Kafka({ ...client, retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 } });
    this.producerKafka = new Kafka({ ...client, retry: this.publishRetry() });
  }

  private publishRetry(): { retries: number; initialRetryTime: number; maxRetryTime: number } {
    return this.options.publishRetry ?? { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 };
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    const admin = await this.connectedAdmin();
    // kafkajs's own wait for leaders lets an UNKNOWN_TOPIC_OR_PARTITION answer escape as an
    // unhandled rejection, which ends the process; the wait below retries that answer instead.
    const created = await admin.createTopics({
      waitForLeaders: false,
      topics: specs.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.numPartitions,
        replicationFactor: spec.replicationFactor ?? -1,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
      })),
    });
    await retryWhileTopicsSettle(async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.name) });
      const leaderless = topics.filter((topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0));
      if (leaderless.length > 0) {
        throw Object.assign(new Error(`No leader yet for ${leaderless.map((topic) => topic.name).join(', ')}`), { type: 'LEADER_NOT_AVAILABLE' });
      }
    });
    if (!created && (this.options.reconcileTopicConfigs ?? true)) {
      await retryWhileTopicsSettle(() => this.reconcileConfigs(admin, specs));
    }
    else if (!created) this.logger.debug('Topics already exist', { topics: specs.map((spec) => spec.name) });
  }

  async publish(topic: string, events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const producer = await this.connectedProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({
        key: event.key,
        value: JSON.stringify(event.value),
        headers: event.headers ? { ...event.headers } : undefined,
      })),
    });
  }

  async subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<Subscription> {
    const subscription = new KafkaSubscription(
      this.kafka,
      () => this.connectedAdmin(),
      options as SubscribeOptions<unknown>,
      {
        logger: this.logger,
        backoff: this.options.handlerBackoff ?? DEFAULT_BACKOFF,
        // Short enough that after a broker outage the restarted coordinator stops waiting for the
        // old member within seconds, so consumers catch up promptly (suspensions take effect).
        sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
        metrics: this.options.metrics,
        lagRefreshIntervalMs: this.options.lagRefreshIntervalMs ?? 5_000,
      },
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    if (this.started) subscription.begin();
    return subscription;
  }

  /**
   * Starts the subscriptions and tries to connect the producer. A broker that is down does not fail
   * the start: consumers keep retrying in the background and `publish` connects on first use.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const subscription of this.subscriptions) subscription.begin();
    await this.connectedProducer().catch((error: unknown) => {
      // A consumer-only service's principal has no write ACL, so its idempotent producer is refused.
      if (isAuthorizationFailure(error)) this.logger.info('This principal may not produce to Kafka; the bus only consumes', { error: errorMessage(error) });
      else this.logger.warn('Kafka producer could not connect yet; publishing will retry', { error: errorMessage(error) });
    });
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    const producer = this.producer;
    const admin = this.admin;
    this.producer = undefined;
    this.admin = undefined;
    await Promise.all([producer?.disconnect(), admin?.disconnect()].map((done) => done?.catch(() => undefined)));
  }

  private connectedProducer(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.producerConnecting ??= (async () => {
      const producer = this.producerKafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        // Bounded on purpose (kafkajs warns that this "may invalidate EoS"): delivery through the
        // outbox is at-least-once by design, and a publish must fail in seconds, not hang, when
        // the broker is away. Consumers deduplicate (versions, event ids).
        retry: this.publishRetry(),
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.producerConnecting = undefined;
    });
    return this.producerConnecting;
  }

  private connectedAdmin(): Promise<Admin> {
    if (this.admin) return Promise.resolve(this.admin);
    this.adminConnecting ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
      return admin;
    })().finally(() => {
      this.adminConnecting = undefined;
    });
    return this.adminConnecting;
  }

  private async reconcileConfigs(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.name, configNames: Object.keys(spec.config) })),
    });
    for (const wanted of specs) {
      const current = described.resources.find((resource) => resource.resourceName === wanted.name);
      const actual = new Map(current?.configEntries.map((entry) => [entry.configName, entry.configValue]) ?? []);
      // A longer retention than the spec's stays (revocations must outlive the longest token).
      const spec = { ...wanted, config: reconciledTopicConfig(wanted, actual) };
      const differing = Object.entries(spec.config).filter(([name, value]) => actual.get(name) !== value);
      if (differing.length === 0) continue;
      // AlterConfigs (kafkajs has no incremental variant) replaces the topic's dynamic configs:
      // send the spec's together with any other non-default ones, so nothing set by hand is lost.
      const all = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name }],
      });
      const keep = (all.resources[0]?.configEntries ?? [])
        .filter((entry) => !entry.isDefault && !entry.readOnly && !(entry.configName in spec.config))
        .map((entry) => ({ name: entry.configName, value: entry.configValue }));
      try {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: spec.name,
              configEntries: [...keep, ...Object.entries(spec.config).map(([name, value]) => ({ name, value }))],
            },
          ],
        });
      } catch (error) {
        if (!isAuthorizationFailure(error)) throw error;
        // Only the topic's writer may change its configs (broker ACLs); a reader that sees
        // other values leaves them to it.
        this.logger.info('Topic configs differ from this service\'s spec; left to the topic\'s owner', {
          topic: spec.name,
          configs: differing.map(([name]) => name),
        });
        continue;
      }
      await this.awaitConfigsApplied(admin, spec);
      this.logger.info('Updated topic configs to match its spec', { topic: spec.name, configs: differing.map(([name]) => name) });
    }
  }

  /**
   * The controller accepts AlterConfigs before the brokers have applied the change from the
   * metadata log: wait (briefly) until the broker describes the new values, so that once
   * ensureTopics returns the topic behaves as its spec says.
   */
  private async awaitConfigsApplied(admin: Admin, spec: TopicSpec): Promise<void> {
    const deadline = Date.now() + CONFIG_APPLY_TIMEOUT_MS;
    for (;;) {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name, configNames: Object.keys(spec.config) }],
      });
      const actual = new Map(described.resources[0]?.configEntries.map((entry) => [entry.configName, entry.configValue]) ?? []);
      const pending = Object.entries(spec.config).filter(([name, value]) => actual.get(name) !== value);
      if (pending.length === 0) return;
      if (Date.now() > deadline) {
        this.logger.warn('Topic configs not yet applied by the broker', { topic: spec.name, configs: pending.map(([name]) => name) });
        return;
      }
      await sleep(100);
    }
  }
}

interface SubscriptionSettings {
  logger: EventsLogger;
  backoff: BackoffOptions;
  sessionTimeout: number;
  heartbeatInterval: number;
  metrics: EventsMetrics | undefined;
  lagRefreshIntervalMs: number;
}

/**
 * How a subscription's kafkajs consumer retries. kafkajs restarts the consumer itself after
 * retriable failures (a broker down for a while), but only while the subscription is open: a
 * restart already under way when `close` disconnects the consumer would otherwise crash again and
 * schedule the next restart, for ever, and keep the process from exiting.
 */
export function consumerRetry(closing: AbortSignal): RetryOptions {
  return { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000, restartOnFailure: async () => !closing.aborted };
}

/** Thrown inside kafkajs' eachMessage when the subscription closes mid-retry: the offset stays unresolved. */
class SubscriptionClosingError extends Error {
  constructor() {
    super('Subscription is closing');
    this.name = 'SubscriptionClosingError';
  }
}

class KafkaSubscription implements Subscription {
  private readonly tracker = new CatchUpTracker();
  private readonly closing = new AbortController();
  private consumer: Consumer | undefined;
  private launching: Promise<void> | undefined;
  private watermarkTimer: NodeJS.Timeout | undefined;
  private readonly lag: ConsumerLagMonitor | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: () => Promise<Admin>,
    private readonly options: SubscribeOptions<unknown>,
    private readonly settings: SubscriptionSettings,
    private readonly detach: () => void,
  ) {
    if (settings.metrics) {
      const target = { topic: options.topic, groupId: options.groupId, fromBeginning: options.fromBeginning };
      this.lag = new ConsumerLagMonitor(target, settings.metrics, admin, settings.lagRefreshIntervalMs);
    }
  }

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

  /** Launches the consumer in the background, retrying until it runs or the subscription closes. */
  begin(): void {
    if (this.launching || this.closing.signal.aborted) return;
    this.launching = this.launchWithRetry().finally(() => {
      this.launching = undefined;
    });
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    clearInterval(this.watermarkTimer);
    await this.launching;
    const consumer = this.consumer;
    this.consumer = undefined;
    // disconnect() waits for the event in hand, commits the handled offsets and leaves the group.
    await consumer?.disconnect().catch((error: unknown) => this.settings.logger.warn('Consumer did not disconnect cleanly', this.fields({ error: errorMessage(error) })));
    this.lag?.stop();
    this.detach();
  }

  private async launchWithRetry(): Promise<void> {
    for (let attempt = 1; !this.closing.signal.aborted; attempt++) {
      try {
        await this.launch();
        return;
      } catch (error) {
        const delayMs = backoffDelay(attempt, this.settings.backoff);
        this.settings.logger.warn('Kafka consumer could not start; retrying', this.fields({ attempt, delayMs, error: errorMessage(error) }));
        await sleep(delayMs, this.closing.signal);
      }
    }
  }

  private async launch(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.settings.sessionTimeout,
      heartbeatInterval: this.settings.heartbeatInterval,
      maxWaitTimeInMs: 1_000,
      retry: consumerRetry(this.closing.signal),
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.closing.signal.aborted) return;
      // A failure kafkajs will not restart from: start a fresh consumer, from the committed offsets.
      this.settings.logger.error('Kafka consumer stopped on an error; relaunching', this.fields({ error: errorMessage(event.payload.error) }));
      if (this.consumer === consumer) this.consumer = undefined;
      void consumer.disconnect().catch(() => undefined);
      this.begin();
    });
    this.instrumentLag(consumer);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: this.options.fromBeginning });
      await this.setCatchUpTargets();
      if (this.closing.signal.aborted) throw new SubscriptionClosingError();
      await consumer.run({ autoCommit: true, eachMessage: (payload) => this.handle(payload) });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    this.consumer = consumer;
  }

  private instrumentLag(consumer: Consumer): void {
    const lag = this.lag;
    if (!lag) return;
    consumer.on(consumer.events.GROUP_JOIN, (event) => lag.assign(event.payload.memberAssignment[this.topic] ?? []));
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      if (event.payload.topic === this.topic) lag.batchProcessed(event.payload.partition, event.payload.highWatermark, event.payload.lastOffset);
    });
  }

  /** The high-water marks as of the first start, and the group's committed offsets. */
  private async setCatchUpTargets(): Promise<void> {
    if (this.tracker.isCaughtUp() || this.watermarkTimer) return;
    const admin = await this.admin();
    const [watermarks, committed] = await Promise.all([
      admin.fetchTopicOffsets(this.topic),
      admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
    const committedByPartition = new Map(committed[0]?.partitions.map((entry) => [entry.partition, entry.offset]) ?? []);
    this.tracker.start(
      watermarks.map((entry) => ({ partition: entry.partition, high: entry.high, low: entry.low, committed: committedByPartition.get(entry.partition) })),
      { fromBeginning: this.options.fromBeginning },
    );
    if (this.tracker.isCaughtUp()) return;
    // Retention may delete what is left to read; then the consumer never reaches the mark by events.
    this.watermarkTimer = setInterval(() => {
      if (this.tracker.isCaughtUp()) {
        clearInterval(this.watermarkTimer);
        return;
      }
      void this.admin()
        .then((client) => client.fetchTopicOffsets(this.topic))
        .then((offsets) => this.tracker.lowWatermarks(offsets))
        .catch(() => undefined);
    }, 2_000);
    this.watermarkTimer.unref();
  }

  private async handle({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    let value: unknown = null;
    let unparsable: string | undefined;
    if (message.value !== null) {
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(message.value)) as unknown;
      } catch {
        // Not from a platform producer; retrying cannot fix it, and it must not block the partition.
        if (!this.options.deliverUnparsable) {
          this.settings.logger.error('Skipping an event that is not JSON', this.fields({ partition, offset: message.offset }));
          this.handled(partition, message.offset);
          return;
        }
        unparsable = message.value.toString('utf8');
      }
    }
    const event: IncomingEvent = {
      topic,
      key: message.key?.toString('utf8') ?? '',
      value,
      offset: message.offset,
      partition,
      timestamp: Number(message.timestamp),
      headers: decodeHeaders(message.headers),
      ...(unparsable !== undefined ? { unparsable } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      if (this.closing.signal.aborted) throw new SubscriptionClosingError();
      try {
        await this.options.handler(event);
        this.handled(partition, message.offset);
        return;
      } catch (error) {
        if (this.closing.signal.aborted) throw new SubscriptionClosingError();
        const delayMs = backoffDelay(attempt, this.settings.backoff);
        this.settings.logger.warn('Event handler failed; retrying the same event', this.fields({ partition, offset: message.offset, attempt, delayMs, error: errorMessage(error) }));
        await this.sleepWithHeartbeats(delayMs, heartbeat);
      }
    }
  }

  private handled(partition: number, offset: string): void {
    this.tracker.handled(partition, offset);
    this.lag?.handled(partition, offset);
  }

  /** Waits without letting the group coordinator think this member died. */
  private async sleepWithHeartbeats(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closing.signal.aborted && Date.now() < until) {
      await sleep(Math.min(this.settings.heartbeatInterval, until - Date.now()), this.closing.signal);
      // A rebalance surfaces here as an error: let kafkajs rejoin; the event stays unhandled.
      await heartbeat();
    }
  }

  private fields(extra: Record<string, unknown>): Record<string, unknown> {
    return { topic: this.topic, groupId: this.groupId, ...extra };
  }
}

function decodeHeaders(headers: IHeaders | undefined): EventHeaders {
  const decoded: EventHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    decoded[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return decoded;
}

const TOPIC_SETTLE_ATTEMPTS = 20;

/**
 * A topic another instance created a moment ago may not be hosted yet ("This server does not
 * host this topic-partition"): services starting together must wait for it, not exit.
 */
const CONFIG_APPLY_TIMEOUT_MS = 10_000;

async function retryWhileTopicsSettle<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= TOPIC_SETTLE_ATTEMPTS || !isUnknownTopic(error)) throw error;
      await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 2_000, factor: 2, jitter: 0.2 }));
    }
  }
}

/** A copy in kafkajs' terms: kafkajs adds its authenticator to the object it is given. */
function kafkajsSasl({ mechanism, username, password }: KafkaSaslCredentials): SASLOptions {
  return mechanism === 'scram-sha-256' ? { mechanism, username, password } : { mechanism, username, password };
}

const AUTHORIZATION_FAILURES = new Set(['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED']);

/** The broker's ACLs do not allow this principal the request (kafkajs may wrap the answer as a cause). */
export function isAuthorizationFailure(error: unknown): boolean {
  const candidate = error as { type?: unknown; cause?: unknown } | null;
  if (!candidate) return false;
  return AUTHORIZATION_FAILURES.has(String(candidate.type)) || (candidate.cause !== undefined && candidate.cause !== error && isAuthorizationFailure(candidate.cause));
}

/** The answers a topic gives while it is still being created: worth waiting out. */
export function isUnknownTopic(error: unknown): boolean {
  const candidate = error as { type?: unknown; message?: unknown } | null;
  return (
    candidate?.type === 'UNKNOWN_TOPIC_OR_PARTITION' ||
    candidate?.type === 'LEADER_NOT_AVAILABLE' ||
    /does not host this topic-partition/i.test(String(candidate?.message ?? ''))
  );
}
