import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startIsolatedKafka, type IsolatedKafka } from '@payer-access/testing';
import { EVENT_BUS, type EventBus, type Subscription } from './event-bus';
import { EventsModule } from './events.module';
import { createEventBus } from './create-event-bus';
import type { TopicSpec } from './topics';

jest.setTimeout(120_000);

const TOPIC: TopicSpec = { name: 'events-module.outage-at-start.v1', numPartitions: 1, config: { 'cleanup.policy': 'compact' } };

@Injectable()
class Projection implements OnModuleInit {
  readonly seen: string[] = [];
  subscription?: Subscription;
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}
  async onModuleInit(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      topic: TOPIC.name,
      groupId: `events-module-spec-${process.pid}`,
      fromBeginning: true,
      handler: async (event) => {
        this.seen.push(event.key);
      },
    });
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('EventsModule with Kafka unreachable at start', () => {
  let kafka: IsolatedKafka;
  beforeAll(async () => {
    kafka = await startIsolatedKafka('events-module');
    await kafka.stop();
  });
  afterAll(() => kafka?.dispose());

  it('boots without consuming, then creates its topics and consumes once the broker is back', async () => {
    @Module({
      imports: [EventsModule.forRoot({ config: { brokers: kafka.brokers, sasl: kafka.credentials.admin, clientId: 'events-module-spec' }, topics: [TOPIC] })],
      providers: [Projection],
    })
    class ServiceModule {}

    const moduleRef = await Test.createTestingModule({ imports: [ServiceModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init(); // would reject if an unreachable broker at start were fatal
    try {
      const projection = app.get(Projection);
      expect(projection.subscription?.isCaughtUp()).toBe(false);

      await kafka.start();
      const producer = createEventBus({ brokers: kafka.brokers, sasl: kafka.credentials.admin, clientId: 'events-module-spec-producer' });
      try {
        await until('the service to create its topic', async () => {
          try {
            await producer.publish(TOPIC.name, [{ key: 'client-1', value: { status: 'suspended' } }]);
            return true;
          } catch {
            return false;
          }
        }, 60_000);
        await until('the event to be consumed', () => projection.seen.includes('client-1'), 60_000);
        expect(projection.subscription?.isCaughtUp()).toBe(true);
      } finally {
        await producer.stop();
      }
    } finally {
      await app.close();
    }
  });
});
