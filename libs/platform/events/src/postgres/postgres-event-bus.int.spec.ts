import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { describeEventBusContract } from '../event-bus.contract';
import { PostgresEventBus } from './postgres-event-bus';

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
