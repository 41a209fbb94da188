import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLIENT_CHANGED_TOPIC, type ClientStatus } from '@payer-access/client-status';
import { KafkaEventBus, platformTopicSpecs, sandboxProducers, silentEventsLogger, type EventBus } from '@payer-access/events';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { childrenOf, type ClusteredEntryPoint, createTestDatabase, ensureKafka, kafkaServiceEnv, startClusteredEntryPoint, type TestDatabase } from '@payer-access/testing';
import { fhirBaseUrl } from '../src/fhir.config';
import { TestClientEvents } from './support/client-events';
import { TestTokenIssuer } from './support/token-issuer';

const BASE_PATH = '/fhir/sb/R4/patientaccess';
const PATIENT = SANDBOX_MEMBERS[1].patientId;

/** A GET on a connection of its own: the cluster hands connections, not requests, to its workers in turn. */
function statusOnNewConnection(url: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    call.on('error', reject);
    call.end();
  });
}

/** `apps/fhir/src/load.ts` on an NDJSON file of `lines`. */
async function runFhirLoader(env: Record<string, string>, lines: readonly string[]): Promise<{ stdout: string }> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fhir-cluster-load-'));
  try {
    const file = path.join(directory, 'Patient.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'apps/fhir/src/load.ts', file], {
      cwd: path.resolve(__dirname, '../../..'),
      env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'apps/fhir/tsconfig.json', DATABASE_URL: env.DATABASE_URL, FHIR_PUBLIC_URL: env.FHIR_PUBLIC_URL, PROFILE: 'sandbox' },
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Resolves once `count` reads in a row, each on a new connection, answer `expected`. */
async function untilAllAnswer(url: string, token: string, expected: number, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let inARow = 0;
  let last = 0;
  while (inARow < count) {
    if (Date.now() > deadline) throw new Error(`${inARow} reads in a row answered ${expected}, then ${last}, within ${timeoutMs} ms`);
    last = await statusOnNewConnection(url, token);
    inARow = last === expected ? inARow + 1 : 0;
  }
}

/**
 * FHIR_WORKERS: the real entry point runs a worker per core with node:cluster on one port, as
 * `node apps/fhir/src/main.js` would in production, each worker an instance of its own: a client's
 * status change on the topic must reach every one of them.
 */
describe('fhir service with FHIR_WORKERS', () => {
  let database: TestDatabase;
  let issuer: TestTokenIssuer;
  let producer: EventBus;
  let env: Record<string, string>;
  const events = new TestClientEvents();
  const clientId = `cluster-app-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const kafka = await ensureKafka();
    database = await createTestDatabase('pa_fhir_cluster');
    issuer = new TestTokenIssuer(fhirBaseUrl({ FHIR_PUBLIC_URL: 'http://localhost:3003', FHIR_BASE_PATH: BASE_PATH }));
    await issuer.start();
    // Registration's events, signed with its sandbox key, as registration publishes them.
    producer = await sandboxProducers(new KafkaEventBus({ brokers: kafka.brokers, sasl: kafka.credentials.admin, clientId: `fhir-cluster-test-${clientId}`, logger: silentEventsLogger }));
    await producer.ensureTopics(platformTopicSpecs());
    await producer.start();
    env = {
      PROFILE: 'sandbox',
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'true',
      KAFKA_BROKERS: kafka.brokers.join(','),
      ...kafkaServiceEnv(kafka.credentials.fhir),
      AUTHORIZATION_PUBLIC_URL: issuer.issuer,
      FHIR_PUBLIC_URL: 'http://localhost:3003',
      FHIR_BASE_PATH: BASE_PATH,
      // No registration here to send heartbeats: the view of statuses is not held to an age.
      CLIENT_STATUS_MAX_STALENESS_SECONDS: '0',
      FHIR_HOST: '127.0.0.1',
      FHIR_PORT: '0',
      FHIR_METRICS_PORT: 'off',
      FHIR_WORKERS: '2',
    };
  }, 300_000);

  let running: ClusteredEntryPoint | undefined;

  afterAll(async () => {
    // A failed test leaves the service running: stop it, or Jest waits for it.
    if (running?.primary.exitCode === null) running.primary.kill('SIGKILL');
    await producer?.stop();
    await issuer?.stop();
    await database?.drop();
  });

  async function publishStatus(status: ClientStatus): Promise<void> {
    await producer.publish(CLIENT_CHANGED_TOPIC, [{ key: clientId, value: events.next(clientId, status, { name: 'Cluster test app' }) }]);
  }

  it('runs a worker per setting on one port, each learning every client status change, and stops them all on SIGTERM', async () => {
    running = await startClusteredEntryPoint('fhir', 2, env, 180_000);
    const { primary, url, exited } = running;
    const workers = childrenOf(primary.pid as number);
    expect(workers).toHaveLength(2);
    const read = `${url}${BASE_PATH}/Patient/${PATIENT}`;
    expect(await Promise.all(Array.from({ length: 10 }, () => statusOnNewConnection(`${url}${BASE_PATH}/metadata`)))).toEqual(Array(10).fill(200));
    // The member's record, through the loader's command line as an operator loads one.
    const loaded = await runFhirLoader(env, [JSON.stringify({ resourceType: 'Patient', id: PATIENT, name: [{ family: 'Cluster' }] })]);
    expect(loaded.stdout).toContain('1 of 1 loaded');

    const token = await issuer.token({ client_id: clientId, patient: PATIENT });
    await publishStatus('approved');
    await untilAllAnswer(read, token, 200, 20, 30_000);
    // A worker that missed the suspension would still answer every other connection with 200.
    await publishStatus('suspended');
    await untilAllAnswer(read, token, 401, 20, 10_000);

    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 300_000);
});
