import { Test } from '@nestjs/testing';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { EVENT_BUS, type EventBus, type IncomingEvent } from './event-bus';
import { EventsModule } from './events.module';
import { InProcessEventBus } from './in-process/in-process-event-bus';
import { OutboxWriter } from './outbox/outbox-writer';
import { PostgresEventBus } from './postgres/postgres-event-bus';
import { grantRevokedTopicSpec } from './topics';

const topic = { ...grantRevokedTopicSpec(), name: 'test.module.v1' };

describe(EventsModule.name, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pa_events_module');
  });
  afterAll(() => database?.drop());

  it('ensures topics at init, starts consumers at bootstrap and stops the bus it built at shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventsModule.forRoot({ config: { brokers: '', databaseUrl: database.url, clientId: 'spec' }, topics: [topic] })],
    }).compile();
    const bus = moduleRef.get<EventBus>(EVENT_BUS);
    // Without brokers, the durable log in the service's database: nothing is lost at a restart.
    expect(bus).toBeInstanceOf(PostgresEventBus);
    expect(moduleRef.get(OutboxWriter)).toBeInstanceOf(OutboxWriter);

    const seen: IncomingEvent[] = [];
    const subscription = await bus.subscribe({ topic: topic.name, groupId: 'g', fromBeginning: true, handler: async (event) => void seen.push(event) });
    await moduleRef.init();
    await bus.publish(topic.name, [{ key: 'grant-1', value: { revoked: true } }]);
    await subscription.waitUntilCaughtUp({ timeoutMs: 5_000 });
    for (let waited = 0; seen.length === 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.map((event) => event.key)).toEqual(['grant-1']);

    const stop = jest.spyOn(bus, 'stop');
    await moduleRef.close();
    expect(stop).toHaveBeenCalled();
  });

  it('refuses to build a bus with neither brokers nor a database', async () => {
    const compiling = Test.createTestingModule({ imports: [EventsModule.forRoot({ config: { brokers: ' , ', clientId: 'spec' }, topics: [topic] })] }).compile();
    await expect(compiling).rejects.toThrow(/KAFKA_BROKERS.*database URL/);
  });

  it('leaves a bus it was given running for its owner (the one-process sandbox shares one)', async () => {
    const shared = new InProcessEventBus();
    const stop = jest.spyOn(shared, 'stop');
    const moduleRef = await Test.createTestingModule({ imports: [EventsModule.forRoot({ bus: shared, topics: [topic] })] }).compile();
    await moduleRef.init();
    expect(moduleRef.get(EVENT_BUS)).toBe(shared);
    await expect(shared.publish(topic.name, [{ key: 'k', value: {} }])).resolves.toBeUndefined();
    await moduleRef.close();
    expect(stop).not.toHaveBeenCalled();
    await shared.stop();
  });
});
