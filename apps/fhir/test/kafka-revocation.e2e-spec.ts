import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, GRANT_REVOKED_TOPIC, type ClientStatus } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopicOf,
  EVENT_SIGNATURE_HEADER,
  EventSigner,
  KafkaEventBus,
  platformTopicSpecs,
  sandboxProducers,
  silentEventsLogger,
  type EventBus,
} from '@payer-access/events';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { createTestDatabase, ensureKafka, kafkajsSasl, kafkaServiceEnv, metricValue, type KafkaCredentialSet, type TestDatabase } from '@payer-access/testing';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { FhirConfig, fhirBaseUrl } from '../src/fhir.config';
import { createFhirApp } from '../src/fhir.service-app';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { TestClientEvents } from './support/client-events';
import { TestTokenIssuer } from './support/token-issuer';
import { serviceMetrics } from '@payer-access/http';

const BASE_PATH = '/fhir/sb/R4/patientaccess';
const PATIENT = SANDBOX_MEMBERS[1].patientId;

/**
 * Cross-service revocation over a real Kafka broker: the fhir service builds its status cache from
 * `registration.client.changed.v1` and its denylist from `authorization.grant.revoked.v1`.
 */
describe('fhir service on Kafka', () => {
  let database: TestDatabase;
  let issuer: TestTokenIssuer;
  /** Publishes as registration and authorization do: signed with their sandbox keys. */
  let producer: EventBus;
  let brokers: string;
  let credentials: KafkaCredentialSet;
  const apps: INestApplication[] = [];
  const events = new TestClientEvents();
  // Client ids of this run only: other test files share the broker and its topics.
  const run = randomUUID().slice(0, 8);
  const clientId = `kafka-app-${run}`;

  async function startApp(): Promise<INestApplication> {
    const config = loadConfig(FhirConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: issuer.issuer, KAFKA_BROKERS: brokers, ...kafkaServiceEnv(credentials.fhir), CLIENT_STATUS_MAX_STALENESS_SECONDS: '0' });
    const app = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    apps.push(app);
    return app;
  }

  async function publishStatus(id: string, status: ClientStatus): Promise<void> {
    const event = events.next(id, status, { name: 'Kafka test app' });
    await producer.publish(CLIENT_CHANGED_TOPIC, [{ key: id, value: event }]);
  }

  async function statusOf(app: INestApplication, token: string): Promise<number> {
    const response = await request(app.getHttpServer()).get(`${BASE_PATH}/Patient/${PATIENT}`).set('Authorization', `Bearer ${token}`);
    return response.status;
  }

  /** Polls until the response status is `expected`; resolves with the milliseconds it took. */
  async function until(app: INestApplication, token: string, expected: number, timeoutMs = 15_000): Promise<number> {
    const started = Date.now();
    while ((await statusOf(app, token)) !== expected) {
      if (Date.now() - started > timeoutMs) throw new Error(`still not ${expected} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return Date.now() - started;
  }

  async function untilReady(app: INestApplication, timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    while ((await request(app.getHttpServer()).get('/health/ready')).status !== 200) {
      if (Date.now() - started > timeoutMs) throw new Error('the fhir service did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    const kafka = await ensureKafka();
    brokers = kafka.brokers.join(',');
    credentials = kafka.credentials;
    database = await createTestDatabase();
    issuer = new TestTokenIssuer(fhirBaseUrl({ FHIR_PUBLIC_URL: 'http://localhost:3003', FHIR_BASE_PATH: BASE_PATH }));
    await issuer.start();
    // It writes both registration's and authorization's events: the broker's super user, signing as each producer.
    producer = await sandboxProducers(new KafkaEventBus({ brokers: brokers.split(','), sasl: credentials.admin, clientId: `fhir-test-${run}`, logger: silentEventsLogger }));
    await producer.ensureTopics(platformTopicSpecs());
    await producer.start();
  }, 300_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await producer?.stop();
    await issuer?.stop();
    await database?.drop();
  });

  it("turns a suspended client's unexpired token into a 401 within a second of the event", async () => {
    const app = await startApp();
    await untilReady(app);
    await app.get(NdjsonLoader).load([
      JSON.stringify({ resourceType: 'Patient', id: PATIENT, meta: { profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient'] } }),
    ]);
    const token = await issuer.token({ client_id: clientId, patient: PATIENT });
    expect(await statusOf(app, token)).toBe(401);

    await publishStatus(clientId, 'approved');
    await until(app, token, 200);

    const published = Date.now();
    await publishStatus(clientId, 'suspended');
    await until(app, token, 401, 5_000);
    expect(Date.now() - published).toBeLessThan(1_000);

    const refused = await request(app.getHttpServer()).get(`${BASE_PATH}/Patient/${PATIENT}`).set('Authorization', `Bearer ${token}`);
    expect(refused.headers['www-authenticate']).toContain('invalid_token');
    expect(refused.body.resourceType).toBe('OperationOutcome');
  }, 60_000);

  it('parks forged, pinned and malformed events; the real suspension after them still turns tokens into 401', async () => {
    const app = apps[0];
    const target = `${clientId}-forged`;
    await publishStatus(target, 'approved');
    const token = await issuer.token({ client_id: target, patient: PATIENT, grant_id: `forged-grant-${run}` });
    await until(app, token, 200);
    const kafka = new Kafka({ clientId: `fhir-forger-${run}`, brokers: brokers.split(','), sasl: kafkajsSasl(credentials.admin), logLevel: logLevel.NOTHING });
    const raw = kafka.producer();
    await raw.connect();
    const parked: string[] = [];
    const dlq = kafka.consumer({ groupId: `fhir-forged-dlq-${run}` });
    await dlq.connect();
    await dlq.subscribe({ topics: [deadLetterTopicOf(CLIENT_CHANGED_TOPIC), deadLetterTopicOf(GRANT_REVOKED_TOPIC)], fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        // Other test files' consumers on the shared broker see the forged events too and park them
        // as well: count only what this process's fhir instance parked (its groups carry the pid).
        const group = message.headers?.[DEAD_LETTER_HEADERS.group]?.toString() ?? '';
        const ours = [`fhir.client-status.${process.pid}-`, `fhir.grant-denylist.${process.pid}-`].some((prefix) => group.startsWith(prefix));
        if (message.key?.toString() === target && ours) parked.push(message.headers?.[DEAD_LETTER_HEADERS.reason]?.toString() ?? '');
      },
    });
    try {
      const current = events.last(target) as { version: number; status: ClientStatus };
      const pinned = {
        type: 'registration.client.changed',
        version: 1,
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        clientId: target,
        registrationId: `registration-${target}`,
        kind: 'application',
        status: 'approved',
        previousStatus: 'approved',
        clientVersion: 2 ** 53 - 1,
        change: {},
        client: { name: 'Pinned', clientType: 'confidential', redirectUris: ['https://attacker.example/cb'], sealedSecretHash: null, allowedScopes: [], system: false },
      };
      const intruder = await EventSigner.fromJwk(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK);
      await raw.send({
        topic: CLIENT_CHANGED_TOPIC,
        messages: [
          { key: target, value: JSON.stringify(pinned) },
          { key: target, value: JSON.stringify(pinned), headers: { [EVENT_SIGNATURE_HEADER]: await intruder.sign(CLIENT_CHANGED_TOPIC, target, pinned) } },
          { key: target, value: 'not json' },
        ],
      });
      // A forged grant revocation would let anyone cut members off: it is parked too.
      await raw.send({ topic: GRANT_REVOKED_TOPIC, messages: [{ key: target, value: JSON.stringify({ type: 'authorization.grant.revoked', grantId: `forged-grant-${run}` }) }] });
      const deadline = Date.now() + 15_000;
      while (parked.length < 4) {
        if (Date.now() > deadline) throw new Error(`parked only ${JSON.stringify(parked)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Two dead-letter topics: the order within each is kept, not across them.
      expect([...parked].sort()).toEqual(['bad_signature', 'bad_signature', 'bad_signature', 'unparsable']);
      expect(await statusOf(app, token)).toBe(200);
      expect(current.status).toBe('approved');
      expect((await request(app.getHttpServer()).get('/health/ready')).status).toBe(200);

      const published = Date.now();
      await publishStatus(target, 'suspended');
      await until(app, token, 401, 5_000);
      expect(Date.now() - published).toBeLessThan(1_000);
      const metrics = (await request(serviceMetrics(app).handler()).get('/metrics')).text;
      expect(metricValue(metrics, 'events_dead_lettered_total', { topic: CLIENT_CHANGED_TOPIC, reason: 'bad_signature' })).toBeGreaterThanOrEqual(2);
    } finally {
      await dlq.disconnect();
      await raw.disconnect();
    }
  }, 60_000);

  it('refuses the tokens of a revoked grant within a second of the event', async () => {
    const app = apps[0];
    const reinstated = `${clientId}-grants`;
    await publishStatus(reinstated, 'approved');
    const token = await issuer.token({ client_id: reinstated, patient: PATIENT, grant_id: `grant-${run}` });
    await until(app, token, 200);

    const published = Date.now();
    await producer.publish(GRANT_REVOKED_TOPIC, [
      {
        key: `grant-${run}`,
        value: {
          type: 'authorization.grant.revoked',
          version: 1,
          eventId: randomUUID(),
          occurredAt: new Date().toISOString(),
          grantId: `grant-${run}`,
          clientId: reinstated,
          reason: 'member_revoked',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
    ]);
    await until(app, token, 401, 5_000);
    expect(Date.now() - published).toBeLessThan(1_000);
  }, 60_000);

  it('a new instance rebuilds every status from the topic before it reports ready', async () => {
    const suspendedToken = await issuer.token({ client_id: clientId, patient: PATIENT });
    const approvedToken = await issuer.token({ client_id: `${clientId}-grants`, patient: PATIENT });
    const fresh = await startApp();
    await untilReady(fresh);
    expect(await statusOf(fresh, suspendedToken)).toBe(401);
    expect(await statusOf(fresh, approvedToken)).toBe(200);

    // Caught up on both topics: /metrics shows each subscription's lag, down to 0.
    const lag = async (topic: string) => metricValue((await request(serviceMetrics(fresh).handler()).get('/metrics')).text, 'kafka_consumer_lag', { topic, partition: '0' });
    const deadline = Date.now() + 15_000;
    while ((await lag(CLIENT_CHANGED_TOPIC)) !== 0 || (await lag(GRANT_REVOKED_TOPIC)) !== 0) {
      if (Date.now() > deadline) throw new Error(`consumer lag still ${await lag(CLIENT_CHANGED_TOPIC)} / ${await lag(GRANT_REVOKED_TOPIC)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);
});
