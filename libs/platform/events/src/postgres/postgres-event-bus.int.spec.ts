import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { describeEventBusContract } from '../event-bus.contract';
import { clientChangedTopicSpec, grantRevokedTopicSpec, type TopicSpec } from '../topics';
import { PostgresEventBus, type PostgresEventBusOptions } from './postgres-event-bus';

// Real PostgreSQL: a fresh database for this file; every `open` is a new bus on it (a restart).
jest.setTimeout(60_000);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('pa_event_log');
});
afterAll(async () => {
  await database?.drop();
});

const fastRetry = { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 };

describeEventBusContract(PostgresEventBus.name, () => ({
  open: async () => new PostgresEventBus({ databaseUrl: database.url, handlerBackoff: fastRetry }),
  durable: true,
  compactsOnWrite: true,
  expiresOnTime: true,
  settleMs: 100,
}));

describe(`${PostgresEventBus.name} on PostgreSQL`, () => {
  const buses: PostgresEventBus[] = [];
  let sql: Client;
  const topicSpec = (name: string): TopicSpec => ({ ...grantRevokedTopicSpec(), name: `pg.${name}.${randomUUID().slice(0, 8)}` });
  const open = (options: Partial<PostgresEventBusOptions> = {}) => {
    const bus = new PostgresEventBus({ databaseUrl: database.url, handlerBackoff: fastRetry, ...options });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });
  afterAll(() => sql?.end());
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.stop()));
  });

  async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('wakes a consumer of another instance at once through LISTEN/NOTIFY, not its poll', async () => {
    const spec = topicSpec('notify');
    const publisher = open();
    const consumer = open({ pollIntervalMs: 60_000 });
    await publisher.ensureTopics([spec]);
    await consumer.ensureTopics([spec]);
    await consumer.start();
    const seen: string[] = [];
    const subscription = await consumer.subscribe({ topic: spec.name, groupId: 'g', fromBeginning: true, handler: async (event) => void seen.push(event.key) });
    await subscription.waitUntilCaughtUp({ timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the consumer is idle, waiting
    const began = performance.now();
    await publisher.publish(spec.name, [{ key: 'woken', value: {} }]);
    await until('the notified consumer', () => seen.length === 1, 5_000);
    expect(performance.now() - began).toBeLessThan(2_000);
  });

  it('falls back to polling when it may not LISTEN', async () => {
    const spec = topicSpec('poll');
    const publisher = open();
    const consumer = open({ listen: false, pollIntervalMs: 100 });
    await publisher.ensureTopics([spec]);
    await consumer.ensureTopics([spec]);
    await consumer.start();
    const seen: string[] = [];
    await consumer.subscribe({ topic: spec.name, groupId: 'g', fromBeginning: true, handler: async (event) => void seen.push(event.key) });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await publisher.publish(spec.name, [{ key: 'polled', value: {} }]);
    await until('the polling consumer', () => seen.length === 1, 5_000);
  });

  it('creates its schema once when several instances start together', async () => {
    const schema = `event_log_race_${randomUUID().slice(0, 8).replace(/-/g, '')}`;
    const spec = topicSpec('race');
    await Promise.all(Array.from({ length: 4 }, () => open({ schema }).ensureTopics([spec])));
    const applied = await sql.query(`SELECT name FROM "${schema}".migrations`);
    expect(applied.rows).toEqual([{ name: 'CreateEventLog1764590000000' }]);
  });

  it('hands out dense offsets in commit order to concurrent publishers of two instances', async () => {
    const spec = topicSpec('dense');
    const [one, two] = [open(), open()];
    await one.ensureTopics([spec]);
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 ? one : two).publish(spec.name, Array.from({ length: 5 }, (__, n) => ({ key: `k-${index}`, value: { index, n } })))),
    );
    const stored = await sql.query<{ offset: string }>(`SELECT "offset" FROM event_log.event WHERE topic = $1 ORDER BY "offset"`, [spec.name]);
    expect(stored.rows.map((row) => Number(row.offset))).toEqual(Array.from({ length: 100 }, (_, offset) => offset));
  });

  it('takes any key, NUL and unpaired surrogates included, and rejects an unserializable or oversized batch whole', async () => {
    const spec = topicSpec('odd-keys');
    const bus = open();
    await bus.ensureTopics([spec]);
    await bus.start();
    await expect(bus.publish(spec.name, [{ key: 'fine', value: {} }, { key: 'bad', value: { n: 1n } as unknown as object }])).rejects.toThrow(TypeError);
    await expect(bus.publish(spec.name, [{ key: 'fine', value: {} }, { key: 'huge', value: { text: 'x'.repeat(1_048_576) } }])).rejects.toThrow(/more than the 1048576/);
    await bus.publish(spec.name, [{ key: 'a\u0000b', value: { text: '\u0000' } }, { key: 'lone \ud800', value: {} }]);
    const seen: Array<{ key: string; value: unknown }> = [];
    const subscription = await bus.subscribe({ topic: spec.name, groupId: 'g', fromBeginning: true, handler: async (event) => void seen.push({ key: event.key, value: event.value }) });
    await subscription.waitUntilCaughtUp({ timeoutMs: 5_000 });
    expect(seen).toEqual([
      { key: 'a\u0000b', value: { text: '\u0000' } },
      { key: 'lone \ufffd', value: {} },
    ]);
  });

  it('keeps superseded events of a compacted topic for min.compaction.lag.ms, then only the latest', async () => {
    const spec: TopicSpec = { ...clientChangedTopicSpec({ config: { 'min.compaction.lag.ms': '600' } }), name: `pg.lagged.${randomUUID().slice(0, 8)}` };
    const bus = open();
    await bus.ensureTopics([spec]);
    await bus.publish(spec.name, [{ key: 'client-1', value: { version: 1 } }]);
    await bus.publish(spec.name, [{ key: 'client-1', value: { version: 2 } }]);
    const stored = async () =>
      (await sql.query<{ value: string }>(`SELECT value FROM event_log.event WHERE topic = $1 ORDER BY "offset"`, [spec.name])).rows.map((row) => JSON.parse(row.value) as unknown);
    // Within the lag a consumer a little behind still sees every transition.
    expect(await stored()).toEqual([{ version: 1 }, { version: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await bus.compact(spec.name, 600)).toBe(1);
    expect(await stored()).toEqual([{ version: 2 }]);
    // The next event of the key also removes what the lag no longer protects.
    await bus.publish(spec.name, [{ key: 'client-1', value: { version: 3 } }]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await bus.publish(spec.name, [{ key: 'client-1', value: { version: 4 } }]);
    expect(await stored()).toEqual([{ version: 4 }]);
  });

  it('skips a forged row that is not JSON, without blocking the partition', async () => {
    const spec = topicSpec('forged');
    const bus = open();
    await bus.ensureTopics([spec]);
    await bus.start();
    await sql.query(`UPDATE event_log.topic_partition SET next_offset = 2 WHERE topic = $1`, [spec.name]);
    await sql.query(
      `INSERT INTO event_log.event (topic, partition, "offset", key, value, headers, timestamp_ms)
       VALUES ($1, 0, 0, 'forged', '{not json', '{}', $2), ($1, 0, 1, 'forged-headers', '{}', '"not an object"', $2)`,
      [spec.name, Date.now()],
    );
    await bus.publish(spec.name, [{ key: 'genuine', value: { ok: true } }]);
    const seen: Array<{ key: string; headers: unknown }> = [];
    const subscription = await bus.subscribe({ topic: spec.name, groupId: 'g', fromBeginning: true, handler: async (event) => void seen.push({ key: event.key, headers: event.headers }) });
    await subscription.waitUntilCaughtUp({ timeoutMs: 5_000 });
    expect(seen).toEqual([
      { key: 'forged-headers', headers: {} },
      { key: 'genuine', headers: {} },
    ]);
  });

  it('keeps consuming when the database drops every connection of the bus mid-work', async () => {
    const spec = topicSpec('dropped');
    const publisher = open({ pollIntervalMs: 100 });
    const consumer = open({ pollIntervalMs: 100 });
    await publisher.ensureTopics([spec]);
    await consumer.ensureTopics([spec]);
    await consumer.start();
    const seen: string[] = [];
    await consumer.subscribe({ topic: spec.name, groupId: 'g', fromBeginning: true, handler: async (event) => void seen.push(event.key) });
    await publisher.publish(spec.name, [{ key: 'before', value: {} }]);
    await until('the first event', () => seen.length === 1);
    await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'payer-access-event-log%'`);
    for (let attempt = 0; ; attempt++) {
      try {
        await publisher.publish(spec.name, [{ key: 'after', value: {} }]);
        break;
      } catch (error) {
        if (attempt > 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await until('the event published after the connections dropped', () => seen.includes('after'));
    expect(seen).toEqual(['before', 'after']);
  });
});
