import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureKafka, kafkajsSasl, type KafkaCredentials } from '@payer-access/testing';
import type { IncomingEvent, Subscription } from '../event-bus';
import { clientChangedTopicSpec, grantRevokedTopicSpec, type TopicSpec } from '../topics';
import { KafkaEventBus } from './kafka-event-bus';

// Real broker (tools/kafka or KAFKA_BROKERS); topics are unique per run and deleted afterwards.
jest.setTimeout(60_000);

const fastRetry = { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 };

function uniqueTopic(spec: TopicSpec): TopicSpec {
  return { ...spec, name: `test.${spec.name}.${randomUUID().slice(0, 8)}` };
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(KafkaEventBus.name, () => {
  let brokers: string[];
  // The broker's super user: these tests create and delete scratch topics of their own.
  let sasl: KafkaCredentials;
  let admin: Admin;
  let sut: KafkaEventBus;
  const topics: string[] = [];
  const compacted = uniqueTopic(clientChangedTopicSpec());
  const deleted = uniqueTopic(grantRevokedTopicSpec({ maxTokenLifetimeMs: 3_600_000 }));

  beforeAll(async () => {
    const kafka = await ensureKafka();
    ({ brokers } = kafka);
    sasl = kafka.credentials.admin;
    admin = new Kafka({ clientId: 'events-int-spec-admin', brokers, sasl: kafkajsSasl(sasl), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    sut = new KafkaEventBus({ brokers, sasl, clientId: 'events-int-spec', handlerBackoff: fastRetry, sessionTimeoutMs: 10_000 });
    await sut.ensureTopics([compacted, deleted]);
    topics.push(compacted.name, deleted.name);
    await sut.start();
  });

  afterAll(async () => {
    await sut?.stop();
    if (topics.length > 0) await admin?.deleteTopics({ topics }).catch(() => undefined);
    await admin?.disconnect();
  });

  async function topicConfig(name: string, keys: string[]): Promise<Record<string, string>> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: keys }],
    });
    return Object.fromEntries(described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]));
  }

  it('creates the compacted client topic with its settings, and again without complaint', async () => {
    expect(await topicConfig(compacted.name, ['cleanup.policy', 'min.compaction.lag.ms', 'segment.ms'])).toEqual({
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': compacted.config['min.compaction.lag.ms'],
      'segment.ms': compacted.config['segment.ms'],
    });
    expect(await topicConfig(deleted.name, ['cleanup.policy', 'retention.ms'])).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '3600000' });
    await expect(sut.ensureTopics([compacted, deleted])).resolves.toBeUndefined();
  });

  it('brings an existing topic to a changed spec (a longer token lifetime → longer retention)', async () => {
    const longer = { ...deleted, config: { ...deleted.config, 'retention.ms': String(2 * 3_600_000) } };
    await sut.ensureTopics([longer]);
    expect(await topicConfig(deleted.name, ['cleanup.policy', 'retention.ms'])).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '7200000' });
  });

  it('never shortens a retention: a spec with a shorter one (a shorter token lifetime) leaves the longer', async () => {
    const shorter = { ...deleted, config: { ...deleted.config, 'retention.ms': '3600000', 'segment.ms': '1800000' } };
    await sut.ensureTopics([shorter]);
    // The other configs still follow the spec.
    expect(await topicConfig(deleted.name, ['retention.ms', 'segment.ms'])).toEqual({ 'retention.ms': '7200000', 'segment.ms': '1800000' });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: deleted.name, configEntries: [{ name: 'retention.ms', value: '-1' }] }] });
    await sut.ensureTopics([shorter]);
    expect(await topicConfig(deleted.name, ['retention.ms'])).toEqual({ 'retention.ms': '-1' });
  });

  it('publishes and consumes through the broker, in order per key, with headers and parsed values', async () => {
    const received: IncomingEvent[] = [];
    const subscription = await sut.subscribe({
      topic: compacted.name,
      groupId: `g-${randomUUID()}`,
      fromBeginning: true,
      handler: async (event) => {
        received.push(event);
      },
    });
    try {
      const events = Array.from({ length: 20 }, (_, i) => ({ key: `client-${i % 3}`, value: { clientId: `client-${i % 3}`, clientVersion: i }, headers: { 'event-type': 'test' } }));
      await sut.publish(compacted.name, events.slice(0, 10));
      await sut.publish(compacted.name, events.slice(10));
      await eventually(() => received.length >= 20, 20_000, '20 events');
      for (const key of ['client-0', 'client-1', 'client-2']) {
        const versions = received.filter((event) => event.key === key).map((event) => (event.value as { clientVersion: number }).clientVersion);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
      }
      expect(received[0]).toMatchObject({ topic: compacted.name, partition: 0, headers: { 'event-type': 'test' } });
      expect(received[0].timestamp).toBeGreaterThan(Date.now() - 60_000);
      expect(new Set(received.map((event) => event.offset)).size).toBe(received.length);
    } finally {
      await subscription.close();
    }
  });

  it('retries a failing handler on the same event, then commits only what was handled', async () => {
    const groupId = `g-${randomUUID()}`;
    const topic = deleted.name;
    const marker = randomUUID();
    await sut.publish(topic, [
      { key: 'a', value: { marker, n: 1 } },
      { key: 'b', value: { marker, n: 2 } },
    ]);
    let failures = 3;
    const handled: number[] = [];
    const first = await sut.subscribe({
      topic,
      groupId,
      fromBeginning: true,
      handler: async (event) => {
        const value = event.value as { marker?: string; n: number };
        if (value.marker !== marker) return;
        if (value.n === 1 && failures-- > 0) throw new Error('projection store unavailable');
        handled.push(value.n);
      },
    });
    await eventually(() => handled.length === 2, 20_000, 'both events handled');
    expect(handled).toEqual([1, 2]);
    await first.close();

    // The same group resumes after the handled events: nothing is delivered twice.
    await sut.publish(topic, [{ key: 'c', value: { marker, n: 3 } }]);
    const again: number[] = [];
    const second = await sut.subscribe({
      topic,
      groupId,
      fromBeginning: true,
      handler: async (event) => {
        const value = event.value as { marker?: string; n: number };
        if (value.marker === marker) again.push(value.n);
      },
    });
    try {
      await eventually(() => again.length >= 1, 20_000, 'the new event');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(again).toEqual([3]);
    } finally {
      await second.close();
    }
  });

  it('closes promptly while a handler keeps failing, and the event is not lost for the group', async () => {
    const groupId = `g-${randomUUID()}`;
    const marker = randomUUID();
    await sut.publish(deleted.name, [{ key: 'stuck', value: { marker } }]);
    let attempts = 0;
    const failing = await sut.subscribe({
      topic: deleted.name,
      groupId,
      fromBeginning: true,
      handler: async (event) => {
        if ((event.value as { marker?: string }).marker !== marker) return;
        attempts++;
        throw new Error('downstream unavailable');
      },
    });
    await eventually(() => attempts >= 2, 20_000, 'retries');
    const closing = Date.now();
    await failing.close();
    expect(Date.now() - closing).toBeLessThan(10_000);

    const redelivered: string[] = [];
    const next = await sut.subscribe({
      topic: deleted.name,
      groupId,
      fromBeginning: true,
      handler: async (event) => {
        if ((event.value as { marker?: string }).marker === marker) redelivered.push(event.key);
      },
    });
    try {
      await eventually(() => redelivered.length === 1, 20_000, 'the redelivered event');
    } finally {
      await next.close();
    }
  });

  it('reports caught up only once every event present at start was handled', async () => {
    const topic = uniqueTopic(clientChangedTopicSpec());
    await sut.ensureTopics([topic]);
    topics.push(topic.name);
    await sut.publish(
      topic.name,
      Array.from({ length: 50 }, (_, i) => ({ key: `client-${i}`, value: { i } })),
    );
    let handled = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let subscription: Subscription | undefined;
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
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(subscription.isCaughtUp()).toBe(false);
      release();
      await subscription.waitUntilCaughtUp({ timeoutMs: 20_000 });
      expect(handled).toBe(50);
      expect(subscription.isCaughtUp()).toBe(true);
    } finally {
      await subscription?.close();
    }
  });

  it('is caught up at once on an empty topic, and for a new group reading only new events', async () => {
    const topic = uniqueTopic(grantRevokedTopicSpec());
    await sut.ensureTopics([topic]);
    topics.push(topic.name);
    const empty = await sut.subscribe({ topic: topic.name, groupId: `g-${randomUUID()}`, fromBeginning: true, handler: async () => undefined });
    await empty.waitUntilCaughtUp({ timeoutMs: 20_000 });
    await empty.close();

    await sut.publish(topic.name, [{ key: 'k', value: {} }]);
    const latest = await sut.subscribe({ topic: topic.name, groupId: `g-${randomUUID()}`, fromBeginning: false, handler: async () => undefined });
    await latest.waitUntilCaughtUp({ timeoutMs: 20_000 });
    await latest.close();
  });
});
