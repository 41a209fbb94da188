import { randomUUID } from 'node:crypto';
import { createEventBus, platformTopicSpecs } from '@payer-access/events';
import { kafkajsSasl, type KafkaCredentials } from '@payer-access/testing';
import { Kafka, logLevel } from 'kafkajs';
import { eventually } from './poll';

/**
 * The test's own view of the topics: it reads both and creates them, so it authenticates as the
 * broker's super user (`credentials.admin`), never as a service.
 */
function kafka(brokers: readonly string[], sasl: KafkaCredentials): Kafka {
  return new Kafka({ clientId: 'platform-e2e', brokers: [...brokers], sasl: kafkajsSasl(sasl), logLevel: logLevel.NOTHING, retry: { retries: 2 } });
}

/** Messages on a topic (sum of the partitions' high-water marks); 0 when it does not exist yet. */
export async function topicSize(brokers: readonly string[], sasl: KafkaCredentials, topic: string): Promise<number> {
  const admin = kafka(brokers, sasl).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

export async function waitForTopicMessages(brokers: readonly string[], sasl: KafkaCredentials, topic: string, atLeast: number, timeoutMs: number): Promise<number> {
  return eventually(async () => {
    const size = await topicSize(brokers, sasl, topic);
    return size >= atLeast ? size : undefined;
  }, { what: `${atLeast} message(s) on ${topic}`, timeoutMs, intervalMs: 200 });
}

export interface TopicRecord<T> {
  key: string | null;
  value: T;
  partition: number;
  offset: string;
}

/** Every record of a topic from its beginning up to the high-water marks of this moment. */
export async function readTopic<T>(brokers: readonly string[], sasl: KafkaCredentials, topic: string, timeoutMs = 30_000): Promise<TopicRecord<T>[]> {
  const client = kafka(brokers, sasl);
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(offsets.filter((entry) => Number(entry.high) > Number(entry.low)).map((entry) => [entry.partition, Number(entry.high)]));
  const records: TopicRecord<T>[] = [];
  if (remaining.size === 0) return records;
  const consumer = client.consumer({ groupId: `platform-e2e-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const high = remaining.get(partition);
        if (high === undefined) return;
        if (Number(message.offset) < high) {
          records.push({
            key: message.key?.toString('utf8') ?? null,
            value: JSON.parse(message.value?.toString('utf8') ?? 'null') as T,
            partition,
            offset: message.offset,
          });
        }
        if (Number(message.offset) >= high - 1) {
          remaining.delete(partition);
          if (remaining.size === 0) done();
        }
      },
    });
    const timedOut = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`reading ${topic} took over ${timeoutMs} ms`)), timeoutMs).unref());
    await Promise.race([finished, timedOut]);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/**
 * Creates the platform's topics through the events library, as the services do at start, once
 * before authorization and fhir start together: each would otherwise wait out the other's fresh
 * topic being hosted (the events library retries that), which only costs the suite time.
 */
export async function ensurePlatformTopics(brokers: readonly string[], sasl: KafkaCredentials): Promise<void> {
  await eventually(
    async () => {
      const bus = createEventBus({ brokers: brokers.join(','), sasl, clientId: 'platform-e2e-topics' });
      try {
        await bus.ensureTopics(platformTopicSpecs());
        return true;
      } finally {
        await bus.stop();
      }
    },
    { what: 'the platform topics to be created', timeoutMs: 30_000, intervalMs: 500 },
  );
}
