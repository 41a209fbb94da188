import { createDataSource, migrateDatabase } from '@payer-access/database';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { DataSource } from 'typeorm';
import { ConsumedEvents } from '../consumers/consumed-events';
import type { EventBus, OutgoingEvent } from '../event-bus';
import { CONSUMED_EVENT_ENTITIES, CONSUMED_EVENT_MIGRATIONS, OUTBOX_ENTITIES, OUTBOX_MIGRATIONS } from '../schema';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxRelay } from './outbox-relay';
import { OutboxOutsideTransactionError, OutboxWriter } from './outbox-writer';

// Real PostgreSQL, real migrations; the bus is a recording fake whose failures the tests switch on,
// so the relay's bookkeeping can be checked exactly (Kafka itself: outbox-kafka.int.spec.ts).
jest.setTimeout(30_000);

class RecordingBus implements Pick<EventBus, 'publish'> {
  readonly published: Array<{ topic: string; key: string; value: { n: number } }> = [];
  down = false;
  readonly refusedKeys = new Set<string>();
  calls = 0;

  async publish(topic: string, events: readonly OutgoingEvent[]): Promise<void> {
    this.calls++;
    if (this.down) throw new Error('KafkaJSConnectionError: Connection error: connect ECONNREFUSED');
    const refused = events.find((event) => this.refusedKeys.has(event.key));
    if (refused) throw new Error(`KafkaJSProtocolError: The request included a message larger than the max message size`);
    for (const event of events) this.published.push({ topic, key: event.key, value: event.value as { n: number } });
  }

  keys(key: string): number[] {
    return this.published.filter((event) => event.key === key).map((event) => event.value.n);
  }
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe(OutboxRelay.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const writer = new OutboxWriter();
  const fastBackoff = { initialMs: 200, maxMs: 1_000, factor: 2, jitter: 0 };

  beforeAll(async () => {
    database = await createTestDatabase('pa_events');
    dataSource = createDataSource({
      url: database.url,
      schema: 'events_test',
      entities: [...OUTBOX_ENTITIES, ...CONSUMED_EVENT_ENTITIES],
      migrations: [...OUTBOX_MIGRATIONS, ...CONSUMED_EVENT_MIGRATIONS],
    });
    await migrateDatabase(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE outbox, consumed_event RESTART IDENTITY');
  });

  const add = (key: string, n: number, topic = 'test.topic.v1') =>
    dataSource.transaction((manager) => writer.add(manager, topic, key, { n }, { 'event-type': 'test' }));

  const rows = () => dataSource.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });

  it('writes a row in the caller transaction, with snake_case columns in the service schema', async () => {
    const id = await add('client-1', 1);
    const [row] = await dataSource.query(
      `SELECT id, topic, message_key, payload, headers, sent_at, attempts, last_error, next_attempt_at <= now() AS due
       FROM events_test.outbox`,
    );
    expect(row).toEqual({
      id,
      topic: 'test.topic.v1',
      message_key: 'client-1',
      payload: { n: 1 },
      headers: { 'event-type': 'test' },
      sent_at: null,
      attempts: 0,
      last_error: null,
      due: true,
    });
  });

  it('refuses to write outside a transaction', async () => {
    await expect(writer.add(dataSource.manager, 't', 'k', {})).rejects.toBeInstanceOf(OutboxOutsideTransactionError);
  });

  it('publishes nothing from a rolled-back transaction', async () => {
    const bus = new RecordingBus();
    const relay = new OutboxRelay({ dataSource, bus, listen: false });
    await expect(
      dataSource.transaction(async (manager) => {
        await writer.add(manager, 'test.topic.v1', 'client-1', { n: 1 });
        throw new Error('the change failed validation');
      }),
    ).rejects.toThrow('the change failed validation');
    expect(await relay.drain()).toBe(0);
    expect(await rows()).toHaveLength(0);
    expect(bus.calls).toBe(0);
  });

  it('publishes in id order per key and marks rows sent', async () => {
    for (let n = 1; n <= 5; n++) {
      await add('a', n);
      await add('b', n);
    }
    const bus = new RecordingBus();
    const relay = new OutboxRelay({ dataSource, bus, listen: false, batchSize: 3 });
    expect(await relay.drain()).toBe(10);
    expect(bus.keys('a')).toEqual([1, 2, 3, 4, 5]);
    expect(bus.keys('b')).toEqual([1, 2, 3, 4, 5]);
    const stored = await rows();
    expect(stored.every((row) => row.sentAt instanceof Date && row.attempts === 1 && row.lastError === null)).toBe(true);
    expect(await relay.countUnsent()).toBe(0);
  });

  it('records failed attempts with backoff, and delivers everything in order once the broker is back', async () => {
    await add('a', 1);
    await add('a', 2);
    const bus = new RecordingBus();
    bus.down = true;
    const relay = new OutboxRelay({ dataSource, bus, listen: false, backoff: fastBackoff });
    expect(await relay.relayBatch()).toEqual({ locked: 2, published: 0, failed: 2 });
    let stored = await rows();
    expect(stored.map((row) => [row.attempts, row.sentAt])).toEqual([
      [1, null],
      [1, null],
    ]);
    expect(stored[0].lastError).toMatch(/ECONNREFUSED/);
    expect(stored[0].nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50);

    // Not due yet: nothing is retried early.
    expect(await relay.relayBatch()).toEqual({ locked: 0, published: 0, failed: 0 });

    await add('a', 3); // due now, but an older row of its key is backing off: it waits
    expect(await relay.relayBatch()).toEqual({ locked: 0, published: 0, failed: 0 });

    bus.down = false;
    await eventually(async () => (await relay.drain()) > 0 || (await relay.countUnsent()) === 0, 5_000, 'the retry');
    await relay.drain();
    expect(bus.keys('a')).toEqual([1, 2, 3]);
    stored = await rows();
    expect(stored.map((row) => row.attempts)).toEqual([2, 2, 1]);
    expect(stored.every((row) => row.sentAt !== null && row.lastError === null)).toBe(true);
  });

  it('holds back only the key whose event is refused; other keys keep flowing', async () => {
    await add('bad', 1);
    await add('good', 1);
    await add('bad', 2);
    await add('good', 2);
    const bus = new RecordingBus();
    bus.refusedKeys.add('bad');
    const relay = new OutboxRelay({ dataSource, bus, listen: false, backoff: fastBackoff });
    await relay.drain();
    expect(bus.keys('good')).toEqual([1, 2]);
    expect(bus.keys('bad')).toEqual([]);
    const bad = (await rows()).filter((row) => row.messageKey === 'bad');
    expect(bad.map((row) => [row.attempts, row.sentAt === null])).toEqual([
      [1, true],
      [1, true],
    ]);
    expect(bad[0].lastError).toMatch(/larger than the max message size/);
  });

  it('wakes up on commit through LISTEN/NOTIFY instead of waiting for the next poll', async () => {
    const bus = new RecordingBus();
    const relay = new OutboxRelay({ dataSource, bus, pollIntervalMs: 60_000 });
    await relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 100)); // the first (empty) pass is over
      const started = Date.now();
      await add('client-1', 1);
      await eventually(() => bus.published.length === 1, 5_000, 'the notified relay');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await relay.stop();
    }
  });

  it('shares the table between concurrent relays without publishing a row twice', async () => {
    const values = Array.from({ length: 300 }, (_, i) => ({ key: `client-${i % 7}`, n: i }));
    await dataSource.transaction(async (manager) => {
      for (const { key, n } of values) await writer.add(manager, 'test.topic.v1', key, { n });
    });
    const bus = new RecordingBus();
    const relays = [1, 2, 3].map(() => new OutboxRelay({ dataSource, bus, listen: false, batchSize: 10 }));
    await Promise.all(relays.map((relay) => relay.drain()));
    await Promise.all(relays.map((relay) => relay.drain()));
    expect(bus.published).toHaveLength(300);
    expect(new Set(bus.published.map((event) => event.value.n)).size).toBe(300);
    for (let k = 0; k < 7; k++) {
      const sequence = bus.keys(`client-${k}`);
      expect(sequence).toEqual([...sequence].sort((x, y) => x - y));
    }
  });

  it('purges rows sent longer ago than the retention', async () => {
    await add('a', 1);
    await add('a', 2);
    const relay = new OutboxRelay({ dataSource, bus: new RecordingBus(), listen: false });
    await relay.drain();
    await dataSource.query(`UPDATE outbox SET sent_at = now() - interval '8 days' WHERE id = 1`);
    expect(await relay.purgeSent(7 * 24 * 3_600_000)).toBe(1);
    expect((await rows()).map((row) => row.id)).toEqual(['2']);
  });
});

describe(ConsumedEvents.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('pa_events');
    dataSource = createDataSource({ url: database.url, schema: 'events_test', migrations: [...CONSUMED_EVENT_MIGRATIONS] });
    await migrateDatabase(dataSource);
    await dataSource.query('CREATE TABLE effect (event_id text NOT NULL)');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('applies an event once per consumer, even when redelivered concurrently', async () => {
    const sut = new ConsumedEvents(dataSource);
    const apply = (consumer: string) =>
      sut.once(consumer, 'event-1', async (manager) => {
        await manager.query(`INSERT INTO effect (event_id) VALUES ('event-1')`);
      });
    const results = await Promise.all([apply('authorization.clients'), apply('authorization.clients'), apply('authorization.clients')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await apply('authorization.grants')).toBe(true);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM effect')).toEqual([{ n: 2 }]);
  });

  it('rolls back the record with the effects when applying fails, so a redelivery applies it', async () => {
    const sut = new ConsumedEvents(dataSource);
    await expect(
      sut.once('c', 'event-2', async () => {
        throw new Error('constraint violated');
      }),
    ).rejects.toThrow('constraint violated');
    expect(await sut.once('c', 'event-2', async () => undefined)).toBe(true);
  });
});
