import type { TopicSpec } from './topics';

/** Kafka header values are bytes; the platform only ever puts UTF-8 text in them. */
export type EventHeaders = Record<string, string>;

export interface OutgoingEvent {
  /** Partitioning key: every event of one key lands on one partition, in publish order. */
  key: string;
  /** Serialized as JSON. */
  value: object;
  headers?: EventHeaders;
}

export interface IncomingEvent<T = unknown> {
  topic: string;
  key: string;
  /** The parsed JSON value. Not yet validated: parse it with the topic's domain parser. */
  value: T;
  /** Kafka offsets are 64-bit, hence a decimal string. */
  offset: string;
  partition: number;
  /** Milliseconds since the epoch at which the broker (or producer) stamped the event. */
  timestamp: number;
  headers: EventHeaders;
  /**
   * Set, with the text as received, when the value is not UTF-8 JSON (`value` is then null). Only
   * delivered to subscriptions that ask for it (`deliverUnparsable`), which dead-letter it.
   */
  unparsable?: string;
}

export type EventHandler<T = unknown> = (event: IncomingEvent<T>) => Promise<void>;

export interface SubscribeOptions<T = unknown> {
  topic: string;
  /**
   * Consumer group. Instances sharing a group split the partitions and resume from the group's
   * committed offsets; a projection that every instance keeps whole (a cache rebuilt at start)
   * needs a group of its own per instance: see `instanceGroupId`.
   */
  groupId: string;
  /** Where a group without committed offsets starts: the oldest retained event, or only new ones. */
  fromBeginning: boolean;
  /**
   * Awaited per event, in partition order. The offset is committed only after it resolves; if it
   * throws, the same event is retried with backoff, never skipped, so make it idempotent.
   */
  handler: EventHandler<T>;
  /**
   * Hand the handler events whose value is not JSON (`IncomingEvent.unparsable`) instead of
   * skipping them with a log line; adapters that only ever store JSON never have any.
   */
  deliverUnparsable?: boolean;
}

export interface CatchUpOptions {
  /** Reject after this long; undefined waits until the subscription stops. */
  timeoutMs?: number;
}

export interface Subscription {
  readonly topic: string;
  readonly groupId: string;
  /**
   * True once the handler has processed every event that was in the topic when the subscription
   * started (the high-water mark then). A projection rebuilt from a compacted topic is complete
   * from that point on; readiness probes use it.
   */
  isCaughtUp(): boolean;
  /** Resolves when `isCaughtUp()` becomes true. */
  waitUntilCaughtUp(options?: CatchUpOptions): Promise<void>;
  /** Stops consuming; the offsets of handled events are committed. */
  close(): Promise<void>;
}

/**
 * The event bus port. Adapters: `KafkaEventBus` (kafkajs, any deployment), `PostgresEventBus` (a
 * durable log in the database, the one-process platform) and `InProcessEventBus` (memory, unit
 * tests); `event-bus.contract.ts` holds all three to the same behaviour.
 * Topics must exist before anyone publishes or subscribes: call `ensureTopics` at start.
 */
export interface EventBus {
  /** Creates missing topics with their settings; existing topics are fine. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  /**
   * Resolves once the broker has acknowledged every event (all in-sync replicas); events of one
   * key keep their order. Rejects when the events could not be stored: the caller retries.
   */
  publish(topic: string, events: readonly OutgoingEvent[]): Promise<void>;
  /** Subscriptions made before `start()` begin consuming at `start()`. */
  subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<Subscription>;
  start(): Promise<void>;
  /** Stops every subscription (committing what was handled) and disconnects. */
  stop(): Promise<void>;
}

/** Injection token for the configured `EventBus` (Nest modules). */
export const EVENT_BUS = Symbol.for('payer-access.events.EventBus');

/** Publishing to, or subscribing to, a topic that was never created. */
export class UnknownTopicError extends Error {
  constructor(readonly topic: string) {
    super(`Topic "${topic}" does not exist; create it with ensureTopics() first`);
    this.name = 'UnknownTopicError';
  }
}

/** `waitUntilCaughtUp` gave up. */
export class CatchUpTimeoutError extends Error {
  constructor(
    readonly topic: string,
    readonly groupId: string,
    readonly timeoutMs: number,
  ) {
    super(`Subscription to "${topic}" (group "${groupId}") did not catch up within ${timeoutMs} ms`);
    this.name = 'CatchUpTimeoutError';
  }
}
