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
import { reconciledTopicConfig, type TopicSpec } from '../topics';

interface StoredEvent {
  offset: number;
  key: string;
  /** JSON text, as on a broker: every subscriber parses its own copy. */
  value: string;
  headers: EventHeaders;
  timestamp: number;
}

class TopicLog {
  readonly events: StoredEvent[] = [];
  nextOffset = 0;
  private readonly listeners = new Set<() => void>();

  constructor(public spec: TopicSpec) {}

  get compacted(): boolean {
    return (this.spec.config['cleanup.policy'] ?? 'delete').split(',').includes('compact');
  }

  get retentionMs(): number | undefined {
    const value = this.spec.config['retention.ms'];
    return value === undefined || value === '-1' ? undefined : Number(value);
  }

  append(event: Omit<StoredEvent, 'offset'>): void {
    if (this.compacted) {
      // Compaction on write: only the latest event of a key survives; offsets keep their gaps.
      const previous = this.events.findIndex((stored) => stored.key === event.key);
      if (previous !== -1) this.events.splice(previous, 1);
    }
    this.events.push({ ...event, offset: this.nextOffset++ });
    this.expire(event.timestamp);
    for (const listener of this.listeners) listener();
  }

  /** Drops events older than `retention.ms` (delete policy), as the broker's retention would. */
  expire(now: number): void {
    const retention = this.retentionMs;
    if (this.compacted || retention === undefined) return;
    while (this.events.length > 0 && this.events[0].timestamp < now - retention) this.events.shift();
  }

  get lowOffset(): number {
    return this.events.length > 0 ? this.events[0].offset : this.nextOffset;
  }

  /** The first retained event at or after `offset`. */
  eventAt(offset: number): StoredEvent | undefined {
    return this.events.find((stored) => stored.offset >= offset);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface InProcessEventBusOptions {
  logger?: EventsLogger;
  /** Delay between attempts of a failing handler. */
  handlerBackoff?: BackoffOptions;
}

/**
 * The event bus in memory, for unit tests and benchmarks: everything is lost at exit, so
 * `createEventBus` never chooses it (`npm start` runs on the durable `PostgresEventBus`). It keeps
 * Kafka's contract where services can tell (`event-bus.contract.ts`): topics must be created first;
 * a per-topic log with offsets that `fromBeginning` subscribers replay; compacted topics keep the
 * last event per key (at once, whatever `min.compaction.lag.ms` says); groups remember their
 * offsets; handlers are awaited one event at a time and retried with backoff when they throw; a
 * subscription to a topic not created yet waits for it. One partition per topic; one live
 * subscription per group.
 */
export class InProcessEventBus implements EventBus {
  private readonly topics = new Map<string, TopicLog>();
  /** Committed offset (next to read) per `topic\0group`. */
  private readonly committed = new Map<string, number>();
  private readonly subscriptions = new Set<InProcessSubscription>();
  private readonly logger: EventsLogger;
  private readonly handlerBackoff: BackoffOptions;
  private started = false;

  constructor(options: InProcessEventBusOptions = {}) {
    this.logger = options.logger ?? silentEventsLogger;
    this.handlerBackoff = options.handlerBackoff ?? DEFAULT_BACKOFF;
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    for (const spec of specs) {
      const existing = this.topics.get(spec.name);
      if (existing) {
        // As on a broker: the configs follow the latest spec, except that a retention never shrinks.
        const actual = new Map(Object.entries(existing.spec.config));
        existing.spec = { ...existing.spec, config: { ...existing.spec.config, ...reconciledTopicConfig(spec, actual) } };
        continue;
      }
      const log = new TopicLog(spec);
      this.topics.set(spec.name, log);
      for (const subscription of this.subscriptions) {
        if (subscription.topic === spec.name && !subscription.attached) this.attach(subscription, log);
      }
    }
  }

  async publish(topic: string, events: readonly OutgoingEvent[]): Promise<void> {
    const log = this.topicLog(topic);
    const timestamp = Date.now();
    // Serialize everything before appending anything, so a bad value rejects the whole call.
    const serialized = events.map((event) => ({
      key: event.key,
      value: JSON.stringify(event.value),
      headers: { ...event.headers },
      timestamp,
    }));
    for (const event of serialized) log.append(event);
  }

  /** A topic not created yet is waited for, as the Kafka adapter's consumers do. */
  async subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<Subscription> {
    const groupKey = `${options.topic}\0${options.groupId}`;
    for (const existing of this.subscriptions) {
      if (existing.groupKey === groupKey) {
        throw new Error(`The in-process bus allows one subscription per group; "${options.groupId}" already consumes "${options.topic}"`);
      }
    }
    const subscription = new InProcessSubscription(
      groupKey,
      options as SubscribeOptions<unknown>,
      (offset) => this.committed.set(groupKey, offset),
      () => this.subscriptions.delete(subscription),
      this.logger,
      this.handlerBackoff,
    );
    this.subscriptions.add(subscription);
    const log = this.topics.get(options.topic);
    if (log) this.attach(subscription, log);
    if (this.started) subscription.run();
    return subscription;
  }

  private attach(subscription: InProcessSubscription, log: TopicLog): void {
    const committed = this.committed.get(subscription.groupKey);
    const fromBeginning = subscription.fromBeginning;
    subscription.tracker.start(
      [{ partition: 0, high: String(log.nextOffset), low: String(log.lowOffset), committed: committed === undefined ? undefined : String(committed) }],
      { fromBeginning },
    );
    subscription.attach(log, committed ?? (fromBeginning ? log.lowOffset : log.nextOffset));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const subscription of this.subscriptions) subscription.run();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  /** Events a topic retains, oldest first (tests and the sandbox's diagnostics). */
  retained(topic: string): Array<{ offset: string; key: string; value: unknown }> {
    return this.topicLog(topic).events.map((event) => ({ offset: String(event.offset), key: event.key, value: JSON.parse(event.value) as unknown }));
  }

  private topicLog(topic: string): TopicLog {
    const log = this.topics.get(topic);
    if (!log) throw new UnknownTopicError(topic);
    return log;
  }
}

class InProcessSubscription implements Subscription {
  readonly tracker = new CatchUpTracker();
  private readonly abort = new AbortController();
  private log: TopicLog | undefined;
  private position = 0;
  private runRequested = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    readonly groupKey: string,
    private readonly options: SubscribeOptions<unknown>,
    private readonly commit: (offset: number) => void,
    private readonly detach: () => void,
    private readonly logger: EventsLogger,
    private readonly backoff: BackoffOptions,
  ) {}

  get attached(): boolean {
    return this.log !== undefined;
  }

  get fromBeginning(): boolean {
    return this.options.fromBeginning;
  }

  /** The topic exists: consume it from `position` once running. */
  attach(log: TopicLog, position: number): void {
    this.log = log;
    this.position = position;
    this.launch();
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

  run(): void {
    this.runRequested = true;
    this.launch();
  }

  private launch(): void {
    const log = this.log;
    if (!log || !this.runRequested || this.loop || this.closed) return;
    const unlisten = log.onAppend(() => this.wake?.());
    this.loop = this.consume(log).finally(unlisten);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.wake?.();
    await this.loop;
    this.detach();
  }

  private async consume(log: TopicLog): Promise<void> {
    while (!this.closed) {
      log.expire(Date.now());
      const stored = log.eventAt(this.position);
      if (!stored) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      const handled = await this.deliver(stored);
      if (!handled) return; // closed while retrying: the event stays unhandled, its offset uncommitted
      this.position = stored.offset + 1;
      this.commit(this.position);
      this.tracker.handled(0, String(stored.offset));
    }
  }

  private async deliver(stored: StoredEvent): Promise<boolean> {
    const event: IncomingEvent = {
      topic: this.topic,
      key: stored.key,
      value: JSON.parse(stored.value) as unknown,
      offset: String(stored.offset),
      partition: 0,
      timestamp: stored.timestamp,
      headers: { ...stored.headers },
    };
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.options.handler(event);
        return true;
      } catch (error) {
        const delayMs = backoffDelay(attempt, this.backoff);
        this.logger.warn('Event handler failed; retrying the same event', {
          topic: this.topic,
          groupId: this.groupId,
          offset: event.offset,
          attempt,
          delayMs,
          error: errorMessage(error),
        });
        await sleep(delayMs, this.abort.signal);
      }
    }
    return false;
  }
}
