import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureKafka, kafkajsSasl } from '@payer-access/testing';
import type { Subscription } from '../event-bus';
import type { ConsumerPartition, EventsMetrics } from '../events-metrics';
import { grantRevokedTopicSpec, type TopicSpec } from '../topics';
import { KafkaEventBus } from './kafka-event-bus';

// Real broker (tools/kafka or KAFKA_BROKERS); topics are unique per run and deleted afterwards.
jest.setTimeout(60_000);

/** Keeps what the bus reports, the way a Prometheus gauge would. */
class RecordedLag implements EventsMetrics {
  readonly lag = new Map<string, number>();

  consumerLag(partition: ConsumerPartition, lag: number): void {
    this.lag.set(key(partition), lag);
  }

  forgetConsumerLag(partition: ConsumerPartition): void {
    this.lag.delete(key(partition));
  }

  outboxBacklog(): void {
    // Not a subscription's business.
  }

  total(topic: string): number | undefined {
    const values = [...this.lag].filter(([name]) => name.startsWith(`${topic}|`)).map(([, value]) => value);
    return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
  }

  partitions(topic: string): string[] {
    return [...this.lag.keys()].filter((name) => name.startsWith(`${topic}|`));
  }
}

function key({ topic, group, partition }: ConsumerPartition): string {
  return `${topic}|${group}|${partition}`;
}

async function eventually(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Kafka consumer lag', () => {
  let admin: Admin;
  let sut: KafkaEventBus;
  const metrics = new RecordedLag();
  const topic: TopicSpec = { ...grantRevokedTopicSpec({ numPartitions: 3 }), name: `test.consumer-lag.${randomUUID().slice(0, 8)}` };

  beforeAll(async () => {
    const { brokers, credentials } = await ensureKafka();
    const sasl = credentials.admin;
    admin = new Kafka({ clientId: 'consumer-lag-spec-admin', brokers, sasl: kafkajsSasl(sasl), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    sut = new KafkaEventBus({ brokers, sasl, clientId: 'consumer-lag-spec', metrics, lagRefreshIntervalMs: 200 });
    await sut.ensureTopics([topic]);
    await sut.start();
  });

  afterAll(async () => {
    await sut?.stop();
    await admin?.deleteTopics({ topics: [topic.name] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('rises while the handler is held up, falls to 0 as it catches up, and stays 0 when idle', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    let subscription: Subscription | undefined;
    const state = () => `lag ${JSON.stringify(Object.fromEntries(metrics.lag))}, handled ${handled}`;
    try {
      subscription = await sut.subscribe({
        topic: topic.name,
        groupId: `g-${randomUUID()}`,
        fromBeginning: true,
        handler: async () => {
          await gate;
          handled++;
        },
      });
      // Assigned an empty topic: every partition is reported, at 0.
      await eventually(() => metrics.partitions(topic.name).length === 3 && metrics.total(topic.name) === 0, 20_000, state);

      const events = Array.from({ length: 30 }, (_, i) => ({ key: `grant-${i}`, value: { i } }));
      await sut.publish(topic.name, events);
      // The handler holds the first event; the periodic check sees the broker's new high watermarks.
      await eventually(() => metrics.total(topic.name) === 30, 10_000, state);
      expect(handled).toBe(0);

      release();
      await eventually(() => handled === 30 && metrics.total(topic.name) === 0, 20_000, state);

      // Idle and caught up: repeated checks keep it at 0; new events are handled and it returns to 0.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(metrics.total(topic.name)).toBe(0);
      await sut.publish(topic.name, events.slice(0, 5));
      await eventually(() => handled === 35 && metrics.total(topic.name) === 0, 20_000, state);
    } finally {
      await subscription?.close();
    }
    // A closed subscription reads nothing: its series go rather than freeze.
    expect(metrics.partitions(topic.name)).toEqual([]);
  });
});
