import type { CatchUpOptions, EventBus, EventHandler, IncomingEvent, OutgoingEvent, SubscribeOptions, Subscription } from '../event-bus';
import { silentEventsLogger, type EventsLogger } from '../events-logger';
import type { EventsMetrics } from '../events-metrics';
import { deadLetterTopicSpec, deadLetterTopicOf, type TopicSpec } from '../topics';
import { EventRejectedError, type DeadLetterReason } from './event-rejected.error';
import { EVENT_SIGNATURE_HEADER, type EventKeyRing, type EventSigner } from './event-signature';

export interface EventTrustOptions {
  /** Signs every event this service publishes; omitted for a service that publishes nothing. */
  signer?: EventSigner;
  /**
   * The producers' public keys, by topic: an event of a subscribed topic is handled only when one
   * of its keys signed it. Subscribing to a topic without keys is a configuration error.
   */
  trustedKeys: Readonly<Record<string, EventKeyRing>>;
  logger?: EventsLogger;
  metrics?: EventsMetrics;
  /** Consecutive failures of the handler on one event after which the subscription reports not caught up. Default 3. */
  stuckAfterFailures?: number;
}

/** Headers of a dead-lettered event, besides the original ones. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dead-letter-reason',
  detail: 'dead-letter-detail',
  topic: 'dead-letter-topic',
  partition: 'dead-letter-partition',
  offset: 'dead-letter-offset',
  group: 'dead-letter-group',
  at: 'dead-letter-at',
} as const;

/**
 * The event bus as every service uses it (ARCHITECTURE.md "Events"): whatever the adapter below,
 * what it publishes is signed with the service's key, and what it consumes is handled only when
 * signed by the topic's producer. An event that is unsigned, wrongly signed, not JSON, or that the
 * handler refuses for good (`EventRejectedError`) goes to `<topic>.dlq` with the reason in its
 * headers, is counted, and the subscription moves on: one bad event never holds a partition back.
 */
export class TrustedEventBus implements EventBus {
  private readonly logger: EventsLogger;

  constructor(
    private readonly inner: EventBus,
    private readonly options: EventTrustOptions,
  ) {
    this.logger = options.logger ?? silentEventsLogger;
  }

  /** Ensures each topic and its dead-letter topic. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    const names = new Set(specs.map((spec) => spec.name));
    const deadLetters = specs.filter((spec) => !spec.name.endsWith('.dlq') && !names.has(deadLetterTopicOf(spec.name))).map(deadLetterTopicSpec);
    return this.inner.ensureTopics([...specs, ...deadLetters]);
  }

  async publish(topic: string, events: readonly OutgoingEvent[]): Promise<void> {
    const signer = this.options.signer;
    if (!signer) throw new Error(`This service has no event signing key: it cannot publish to "${topic}"`);
    const signed = await Promise.all(
      events.map(async (event) => ({
        ...event,
        headers: { ...event.headers, [EVENT_SIGNATURE_HEADER]: await signer.sign(topic, event.key, event.value) },
      })),
    );
    await this.inner.publish(topic, signed);
  }

  async subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<Subscription> {
    const keys = this.options.trustedKeys[options.topic];
    if (!keys) throw new Error(`No producer keys are trusted for "${options.topic}": its events could not be verified`);
    const health = { failures: 0 };
    const handler = this.guard(options as SubscribeOptions<unknown>, keys, health);
    const inner = await this.inner.subscribe({ ...(options as SubscribeOptions<unknown>), handler, deliverUnparsable: true });
    return new GuardedSubscription(inner, health, this.options.stuckAfterFailures ?? 3);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  private guard(options: SubscribeOptions<unknown>, keys: EventKeyRing, health: { failures: number }): EventHandler<unknown> {
    return async (event) => {
      try {
        if (event.unparsable !== undefined) {
          await this.deadLetter(options, event, 'unparsable', 'the value is not UTF-8 JSON');
        } else {
          const check = await keys.verify(event.topic, event.key, event.value, event.headers[EVENT_SIGNATURE_HEADER]);
          if (!check.ok) await this.deadLetter(options, event, 'bad_signature', check.reason);
          else await options.handler(event);
        }
        health.failures = 0;
      } catch (error) {
        if (error instanceof EventRejectedError) {
          await this.deadLetter(options, event, error.reason, error.detail);
          health.failures = 0;
          return;
        }
        health.failures += 1;
        throw error;
      }
    };
  }

  private async deadLetter(options: SubscribeOptions<unknown>, event: IncomingEvent, reason: DeadLetterReason, detail: string): Promise<void> {
    const value = event.unparsable !== undefined ? { unparsable: event.unparsable.slice(0, 65_536) } : (event.value ?? { tombstone: true });
    // Publishing can fail (broker away): the error is retried like any handler failure, so
    // nothing is lost and nothing is applied meanwhile.
    await this.inner.publish(deadLetterTopicOf(event.topic), [
      {
        key: event.key,
        value: typeof value === 'object' && value !== null ? value : { value },
        headers: {
          ...withoutSignature(event.headers),
          [DEAD_LETTER_HEADERS.reason]: reason,
          [DEAD_LETTER_HEADERS.detail]: detail.slice(0, 500),
          [DEAD_LETTER_HEADERS.topic]: event.topic,
          [DEAD_LETTER_HEADERS.partition]: String(event.partition),
          [DEAD_LETTER_HEADERS.offset]: event.offset,
          [DEAD_LETTER_HEADERS.group]: options.groupId,
          [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
        },
      },
    ]);
    this.options.metrics?.deadLettered?.(event.topic, reason);
    this.logger.warn('Dead-lettered an event the consumer must not apply', {
      topic: event.topic,
      groupId: options.groupId,
      partition: event.partition,
      offset: event.offset,
      reason,
      detail: detail.slice(0, 200),
    });
  }
}

function withoutSignature(headers: Record<string, string>): Record<string, string> {
  const { [EVENT_SIGNATURE_HEADER]: signature, ...rest } = headers;
  // Kept under another name: the signature is evidence, but must not make the parked event look signed.
  return signature === undefined ? rest : { ...rest, 'dead-letter-original-signature': signature.slice(0, 4_096) };
}

/**
 * A subscription that is not caught up while its handler keeps failing on one event: readiness
 * then says what is true, that later events (a suspension) are not being applied.
 */
class GuardedSubscription implements Subscription {
  constructor(
    private readonly inner: Subscription,
    private readonly health: { failures: number },
    private readonly stuckAfter: number,
  ) {}

  get topic(): string {
    return this.inner.topic;
  }

  get groupId(): string {
    return this.inner.groupId;
  }

  isCaughtUp(): boolean {
    return this.health.failures < this.stuckAfter && this.inner.isCaughtUp();
  }

  waitUntilCaughtUp(options?: CatchUpOptions): Promise<void> {
    return this.inner.waitUntilCaughtUp(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
