import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, type ClientStatus } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { KafkaEventBus, platformTopicSpecs, sandboxProducers, silentEventsLogger, type EventBus } from '@payer-access/events';
import { createTestDatabase, ensureKafka, kafkaServiceEnv, type KafkaCredentialSet, type TestDatabase } from '@payer-access/testing';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FhirConfig, fhirBaseUrl } from '../src/fhir.config';
import { createFhirApp } from '../src/fhir.service-app';
import { ResourceRepository } from '../src/store/resource.repository';
import { bulkRequest, MATCHED, STORE } from './support/bulk-fixtures';
import { TestClientEvents } from './support/client-events';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';
import { TestTokenIssuer } from './support/token-issuer';

const http = (app: INestApplication) => app.getHttpAdapter().getInstance() as RequestListener;
const path = (url: string) => url.slice(url.indexOf(BASE_PATH));

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Matches the fixtures' members for `payer` and answers the MatchedMembers Group's id. */
async function matchedGroup(app: INestApplication, token: string, payer: string): Promise<string> {
  const kick = await request(http(app))
    .post(`${BASE_PATH}/Group/$bulk-member-match`)
    .set('Authorization', `Bearer ${token}`)
    .set('Prefer', 'respond-async')
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bulkRequest(payer)));
  expect(kick.status).toBe(202);
  const done = await eventually(() => request(http(app)).get(path(kick.headers['content-location'])).set('Authorization', `Bearer ${token}`), (response) => response.status !== 202, 'bulk match');
  expect(done.status).toBe(200);
  return done.body.parameter.find((part: { name: string }) => part.name === 'MatchedMembers').resource.id;
}

/**
 * Holds the export worker in its first query: the resource table locked by another session, so the
 * job is reliably caught while it runs.
 */
async function lockResources(databaseUrl: string): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE fhir.resource IN ACCESS EXCLUSIVE MODE');
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

const jobState = async (dataSource: DataSource, id: string) =>
  ((await dataSource.query('SELECT status, attempts, lease_owner FROM bulk_job WHERE id = $1', [id])) as { status: string; attempts: number; lease_owner: string | null }[])[0];

describe('Bulk export on Kafka: the payer suspended', () => {
  let database: TestDatabase;
  let issuer: TestTokenIssuer;
  let producer: EventBus;
  let credentials: KafkaCredentialSet;
  let brokers: string;
  let app: INestApplication;
  let bulkDir: string;
  const payer = `kafka-payer-${Math.random().toString(36).slice(2, 10)}`;
  const events = new TestClientEvents();

  async function publishStatus(status: ClientStatus): Promise<void> {
    const event = events.next(payer, status, { kind: 'payer', name: 'Kafka payer' });
    await producer.publish(CLIENT_CHANGED_TOPIC, [{ key: payer, value: event }]);
  }

  beforeAll(async () => {
    const kafka = await ensureKafka();
    brokers = kafka.brokers.join(',');
    credentials = kafka.credentials;
    database = await createTestDatabase();
    bulkDir = mkdtempSync(join(tmpdir(), 'payer-bulk-kafka-'));
    issuer = new TestTokenIssuer(fhirBaseUrl({ FHIR_PUBLIC_URL: 'http://localhost:3003', FHIR_BASE_PATH: BASE_PATH }));
    await issuer.start();
    producer = await sandboxProducers(new KafkaEventBus({ brokers: brokers.split(','), sasl: credentials.admin, clientId: `fhir-bulk-test-${payer}`, logger: silentEventsLogger }));
    await producer.ensureTopics(platformTopicSpecs());
    await producer.start();
    const config = loadConfig(FhirConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'sandbox',
      AUTHORIZATION_PUBLIC_URL: issuer.issuer,
      KAFKA_BROKERS: brokers,
      FHIR_BULK_DIR: bulkDir,
      // No registration runs here to send heartbeats: the staleness bound is off, as in the other
      // files that run FHIR alone (a heartbeat another file left on the shared broker is no promise).
      CLIENT_STATUS_MAX_STALENESS_SECONDS: '0',
      ...kafkaServiceEnv(credentials.fhir),
    });
    app = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    await app.get(ResourceRepository).write(STORE);
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await producer?.stop();
    await issuer?.stop();
    await database?.drop();
    rmSync(bulkDir, { recursive: true, force: true });
  });

  it("cancels the payer's running export and its files when the suspension arrives; its token is 401", async () => {
    const token = await issuer.token({ client_id: payer, sub: payer, scope: 'system/*.rs' });
    await publishStatus('approved');
    await eventually(() => request(http(app)).get(`${BASE_PATH}/Patient`).set('Authorization', `Bearer ${token}`).then((r) => r.status), (status) => status === 200, 'payer approved');
    const groupId = await matchedGroup(app, token, payer);

    const lock = await lockResources(database.url);
    let released = false;
    try {
      const kick = await request(http(app)).get(`${BASE_PATH}/Group/${groupId}/$davinci-data-export`).set('Authorization', `Bearer ${token}`).set('Prefer', 'respond-async');
      expect(kick.status).toBe(202);
      const jobId = (kick.headers['content-location'] as string).split('/').pop() as string;
      const dataSource = app.get(DataSource);
      await eventually(() => jobState(dataSource, jobId), (job) => job.status === 'running', 'export running');
      const status = await request(http(app)).get(path(kick.headers['content-location'])).set('Authorization', `Bearer ${token}`);
      expect(status.status).toBe(202);

      await publishStatus('suspended');
      await eventually(() => jobState(dataSource, jobId), (job) => job.status === 'cancelled', 'export cancelled');
      expect((await request(http(app)).get(path(kick.headers['content-location'])).set('Authorization', `Bearer ${token}`)).status).toBe(401);

      // The worker, let go, stops at its next heartbeat and leaves nothing behind.
      await lock.release();
      released = true;
      await eventually(async () => existsSync(join(bulkDir, jobId)) && readdirSync(join(bulkDir, jobId)).length > 0, (present) => !present, 'files removed');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(existsSync(join(bulkDir, jobId)) && readdirSync(join(bulkDir, jobId), { recursive: true }).some((name) => String(name).endsWith('.ndjson'))).toBe(false);
      expect((await jobState(dataSource, jobId)).status).toBe('cancelled');
    } finally {
      if (!released) await lock.release();
    }
  });
});

describe('Bulk export across a restart', () => {
  let database: TestDatabase;
  let bulkDir: string;
  let first: FhirTestApp | undefined;
  let second: FhirTestApp | undefined;
  const payer = 'SbxDemoPayer00000001';

  beforeAll(async () => {
    database = await createTestDatabase();
    bulkDir = mkdtempSync(join(tmpdir(), 'payer-bulk-restart-'));
  });

  afterAll(async () => {
    await first?.close().catch(() => undefined);
    await second?.close();
    await database?.drop();
    rmSync(bulkDir, { recursive: true, force: true });
  });

  it('an export cut by closing the service is taken up by the next one on the same database and completes whole', async () => {
    const env = { FHIR_BULK_DIR: bulkDir, FHIR_BULK_LEASE_SECONDS: '30' };
    first = await startFhirTestApp(env, { database });
    await first.app.get(ResourceRepository).write(STORE);
    await first.setClientStatus(payer, 'approved', 'payer');
    const firstToken = await first.issuer.token({ client_id: payer, sub: payer, scope: 'system/*.rs' });
    const groupId = await matchedGroup(first.app, firstToken, payer);

    const lock = await lockResources(database.url);
    const kick = await request(http(first.app)).get(`${BASE_PATH}/Group/${groupId}/$davinci-data-export`).set('Authorization', `Bearer ${firstToken}`).set('Prefer', 'respond-async');
    expect(kick.status).toBe(202);
    const statusPath = path(kick.headers['content-location']);
    const jobId = statusPath.split('/').pop() as string;
    const firstData = first.app.get(DataSource);
    await eventually(() => jobState(firstData, jobId), (job) => job.status === 'running', 'export running');

    // The service stops mid-export: it gives the job back rather than completing it.
    const closing = first.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await lock.release();
    await closing;
    first = undefined;

    const restarted = await startFhirTestApp(env, { database });
    second = restarted;
    await second.setClientStatus(payer, 'approved', 'payer');
    const token = await second.issuer.token({ client_id: payer, sub: payer, scope: 'system/*.rs' });
    const done = await eventually(() => request(http(restarted.app)).get(statusPath).set('Authorization', `Bearer ${token}`), (response) => response.status !== 202, 'export after restart');
    expect(done.status).toBe(200);
    const job = await jobState(second.app.get(DataSource), jobId);
    expect(job).toMatchObject({ status: 'completed', attempts: 2 });
    const counts = Object.fromEntries((done.body.output as { type: string; count: number }[]).map((entry) => [entry.type, entry.count]));
    expect(counts).toMatchObject({ Patient: MATCHED, Coverage: MATCHED, ExplanationOfBenefit: 2 * MATCHED });
    for (const entry of done.body.output as { url: string; count: number }[]) {
      const file = await request(http(second.app)).get(path(entry.url)).set('Authorization', `Bearer ${token}`).buffer(true).parse((res, callback) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => callback(null, text));
      });
      const lines = (file.body as string).split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(entry.count);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    }
    // Only the completed attempt's files remain.
    expect(readdirSync(join(bulkDir, jobId))).toEqual(['a2']);
  });
});
