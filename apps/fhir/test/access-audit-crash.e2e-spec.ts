import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { CLIENT_CHANGED_TOPIC } from '@payer-access/client-status';
import { KafkaEventBus, platformTopicSpecs, sandboxProducers, type EventBus, silentEventsLogger } from '@payer-access/events';
import { createTestDatabase, ensureKafka, kafkaServiceEnv, type KafkaCredentialSet, type TestDatabase } from '@payer-access/testing';
import { Client } from 'pg';
import { testClientEvent } from './support/client-events';
import { TestTokenIssuer } from './support/token-issuer';

jest.setTimeout(180_000);

const BASE_PATH = '/fhir/sb/R4/patientaccess';
const FHIR_PUBLIC_URL = 'http://localhost:3003';
const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * The fhir service as a process of its own, killed with SIGKILL while it is answering reads: no
 * shutdown hook runs, so whatever the audit had only in memory is gone. Every read a client got an
 * answer to must have its audit row.
 */
describe('access audit across a crash', () => {
  let database: TestDatabase;
  let issuer: TestTokenIssuer;
  let producer: EventBus;
  let brokers: string[];
  let credentials: KafkaCredentialSet;
  let child: ChildProcess | undefined;
  let output = '';
  const clientId = `crash-app-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    ({ brokers, credentials } = await ensureKafka());
    database = await createTestDatabase();
    issuer = new TestTokenIssuer(`${FHIR_PUBLIC_URL}${BASE_PATH}`);
    await issuer.start();
    // Signed as registration signs in the sandbox: the service applies nothing else.
    producer = await sandboxProducers(new KafkaEventBus({ brokers, sasl: credentials.admin, clientId: `${clientId}-producer`, logger: silentEventsLogger }));
    await producer.ensureTopics(platformTopicSpecs());
    await producer.start();
    const event = testClientEvent(clientId, 'approved', { name: 'Crash test app' });
    await producer.publish(CLIENT_CHANGED_TOPIC, [{ key: clientId, value: event }]);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await producer?.stop();
    await issuer?.stop();
    await database?.drop();
  });

  it('keeps the row of every answered read when the process is killed mid-flight', async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/fhir/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TS_NODE_PROJECT: 'apps/fhir/tsconfig.json',
        PROFILE: 'sandbox',
        DATABASE_URL: database.url,
        KAFKA_BROKERS: brokers.join(','),
        ...kafkaServiceEnv(credentials.fhir),
        FHIR_PORT: String(port),
        FHIR_HOST: '127.0.0.1',
        FHIR_PUBLIC_URL,
        FHIR_BASE_PATH: BASE_PATH,
        FHIR_LOAD_SANDBOX_DATA: 'false',
        AUTHORIZATION_PUBLIC_URL: issuer.issuer,
        MIGRATE_ON_START: 'true',
        LOG_LEVEL: 'warn',
        // Registration does not run here: no heartbeat vouches for the client statuses.
        CLIENT_STATUS_MAX_STALENESS_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `http://127.0.0.1:${port}${BASE_PATH}`;
    const token = await issuer.token({ client_id: clientId, patient: '-20140000000024', sub: 'member-3' });
    const read = (n: number) => fetch(`${url}/Patient?_id=crash-${n}`, { headers: { authorization: `Bearer ${token}` } });

    // Ready once the client's approval has been read from the topic.
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the fhir service exited:\n${output}`);
      const status = await read(-1).then((response) => response.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`the fhir service never answered 200 (last ${status}):\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const answered: number[] = [];
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    const reads = Array.from({ length: 400 }, (_, n) =>
      read(n).then((response) => {
        if (response.status !== 200) return;
        answered.push(n);
        // Killed the moment the 50th answer arrives: later reads are still in flight.
        if (answered.length === 50) child?.kill('SIGKILL');
      }),
    );
    await Promise.allSettled(reads);
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    expect(answered.length).toBeGreaterThanOrEqual(50);
    expect(answered.length).toBeLessThan(400);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ query: string }>(`SELECT query FROM fhir.access_audit WHERE query LIKE '_id=crash-%' AND status = 200`);
      const audited = new Set(rows.map((row) => Number(row.query.slice('_id=crash-'.length))));
      expect(answered.filter((n) => n >= 0 && !audited.has(n))).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
