import { randomUUID } from 'node:crypto';
import { createDataSource, migrateDatabase } from '@payer-access/database';
import { createTestDatabase, startIsolatedKafka, type IsolatedKafka, type TestDatabase } from '@payer-access/testing';
import type { DataSource } from 'typeorm';
import type { IncomingEvent, Subscription } from '../event-bus';
import { consoleEventsLogger, type EventsLogLevel } from '../events-logger';
import { KafkaEventBus } from '../kafka/kafka-event-bus';
import { OUTBOX_ENTITIES, OUTBOX_MIGRATIONS } from '../schema';
import { clientChangedTopicSpec } from '../topics';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

// Real PostgreSQL and a real broker of this file's own (tools/kafka on free ports), which the
// outage test stops and starts without disturbing test files that share the main broker.
jest.setTimeout(120_000);

interface TestEvent {
  eventId: string;
  clientId: string;
  clientVersion: number;
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Outbox over Kafka', () => {
  let kafka: IsolatedKafka;
  let database: TestDatabase;
  let dataSource: DataSource;
  let bus: KafkaEventBus;
  let subscription: Subscription;
  const received: Array<IncomingEvent<TestEvent>> = [];
  const writer = new OutboxWriter();
  const topic = { ...clientChangedTopicSpec(), name: `test.registration.client.changed.${randomUUID().slice(0, 8)}` };
  const backoff = { initialMs: 300, maxMs: 2_000, factor: 2, jitter: 0.1 };
  // EVENTS_TEST_LOG=debug|info|warn shows what the bus and relays do (metadata only, never payloads).
  const logger = process.env.EVENTS_TEST_LOG ? consoleEventsLogger(process.env.EVENTS_TEST_LOG as EventsLogLevel, 'outbox-spec') : undefined;

  beforeAll(async () => {
    [kafka, database] = await Promise.all([startIsolatedKafka('events-outbox'), createTestDatabase('pa_events')]);
    dataSource = createDataSource({ url: database.url, schema: 'registration', entities: OUTBOX_ENTITIES, migrations: OUTBOX_MIGRATIONS });
    await migrateDatabase(dataSource);
    bus = new KafkaEventBus({ brokers: kafka.brokers, sasl: kafka.credentials.admin, clientId: 'events-outbox-spec', handlerBackoff: backoff, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, logger });
    await bus.ensureTopics([topic]);
    subscription = await bus.subscribe<TestEvent>({
      topic: topic.name,
      groupId: `status-cache-${randomUUID()}`,
      fromBeginning: true,
      handler: async (event) => {
        received.push(event);
      },
    });
    await bus.start();
    await subscription.waitUntilCaughtUp({ timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await bus?.stop();
    await dataSource?.destroy();
    await database?.drop();
    await kafka?.dispose();
  });

  let version = 0;
  /** A registration change and its event, committed together. */
  const change = (clientId: string) =>
    dataSource.transaction(async (manager) => {
      const event: TestEvent = { eventId: randomUUID(), clientId, clientVersion: ++version };
      await writer.add(manager, topic.name, clientId, event, { 'event-type': 'registration.client.changed' });
      return event;
    });

  const receivedFor = (clientId: string) => received.filter((event) => event.key === clientId).map((event) => event.value);

  it('delivers nothing for a rolled-back transaction', async () => {
    const relay = new OutboxRelay({ dataSource, bus, backoff, pollIntervalMs: 200, logger });
    await relay.start();
    try {
      await expect(
        dataSource.transaction(async (manager) => {
          await writer.add(manager, topic.name, 'client-rolled-back', { eventId: randomUUID(), clientId: 'client-rolled-back', clientVersion: 1 });
          throw new Error('status change refused');
        }),
      ).rejects.toThrow('status change refused');
      const marker = await change('client-marker');
      await eventually(() => received.some((event) => event.value.eventId === marker.eventId), 20_000, 'the marker event');
      expect(receivedFor('client-rolled-back')).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it('two relays over one table publish every event once, in order per client', async () => {
    const clients = Array.from({ length: 5 }, (_, i) => `client-pair-${i}`);
    const written: TestEvent[] = [];
    for (let round = 0; round < 20; round++) {
      for (const clientId of clients) written.push(await change(clientId));
    }
    const relays = [1, 2].map(() => new OutboxRelay({ dataSource, bus, backoff, batchSize: 10, pollIntervalMs: 100, logger }));
    await Promise.all(relays.map((relay) => relay.start()));
    try {
      await eventually(() => clients.every((clientId) => receivedFor(clientId).length >= 20), 30_000, '100 events');
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // a duplicate would arrive by now
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }
    const eventIds = received.filter((event) => clients.includes(event.key)).map((event) => event.value.eventId);
    expect(eventIds).toHaveLength(written.length);
    expect(new Set(eventIds).size).toBe(written.length);
    for (const clientId of clients) {
      expect(receivedFor(clientId).map((event) => event.eventId)).toEqual(written.filter((event) => event.clientId === clientId).map((event) => event.eventId));
    }
    const sentRows = await dataSource.getRepository(OutboxMessage).countBy({ attempts: 1 });
    expect(sentRows).toBeGreaterThanOrEqual(written.length);
  });

  it('survives the broker being down: attempts are recorded, then each event arrives once, in order', async () => {
    const relay = new OutboxRelay({ dataSource, bus, backoff, pollIntervalMs: 200, logger });
    await relay.start();
    try {
      const before = await change('client-outage');
      await eventually(() => receivedFor('client-outage').length === 1, 20_000, 'the event before the outage');

      await kafka.stop();
      const during = [await change('client-outage'), await change('client-outage')];
      const other = await change('client-outage-other');
      await eventually(
        async () => {
          const [row] = await dataSource.query(`SELECT attempts, last_error FROM outbox WHERE payload->>'eventId' = $1`, [during[0].eventId]);
          return row.attempts >= 2 && row.last_error !== null;
        },
        30_000,
        'failed attempts to be recorded',
      );
      const [failedRow] = await dataSource.query(`SELECT sent_at, next_attempt_at > created_at AS backed_off FROM outbox WHERE payload->>'eventId' = $1`, [during[0].eventId]);
      expect(failedRow).toEqual({ sent_at: null, backed_off: true });

      await kafka.start();
      await eventually(() => receivedFor('client-outage').length >= 3 && receivedFor('client-outage-other').length >= 1, 60_000, 'delivery after the outage');
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // a duplicate would arrive by now

      expect(receivedFor('client-outage').map((event) => event.eventId)).toEqual([before.eventId, during[0].eventId, during[1].eventId]);
      expect(receivedFor('client-outage-other').map((event) => event.eventId)).toEqual([other.eventId]);
      expect(await relay.countUnsent()).toBe(0);
    } finally {
      await relay.stop();
    }
  });
});
