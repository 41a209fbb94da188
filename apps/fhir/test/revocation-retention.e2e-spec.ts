import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, GRANT_REVOKED_TOPIC } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { KafkaEventBus, platformTopicSpecs, sandboxProducers, type EventBus, REVOCATION_RETENTION_MARGIN_MS, silentEventsLogger } from '@payer-access/events';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { createTestDatabase, ensureKafka, kafkajsSasl, kafkaServiceEnv, type KafkaCredentialSet, type TestDatabase } from '@payer-access/testing';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { FhirConfig, fhirBaseUrl } from '../src/fhir.config';
import { createFhirApp } from '../src/fhir.service-app';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { testClientEvent } from './support/client-events';
import { TestTokenIssuer } from './support/token-issuer';

const BASE_PATH = '/fhir/sb/R4/patientaccess';
const PATIENT = SANDBOX_MEMBERS[1].patientId;
const TTL_SECONDS = 7200;

/**
 * Revocations are kept on `authorization.grant.revoked.v1` as long as the tokens they deny live:
 * with two-hour access tokens, no service (a FHIR instance restarting, one configured with the
 * default hour, an older one) shortens the topic's retention, and a restarted FHIR still refuses
 * a revoked grant. Real Kafka.
 */
describe('retention of revocations across FHIR restarts', () => {
  let database: TestDatabase;
  let issuer: TestTokenIssuer;
  let producer: EventBus;
  let admin: Admin;
  let brokers: string;
  let credentials: KafkaCredentialSet;
  const run = randomUUID().slice(0, 8);
  const clientId = `retention-app-${run}`;
  const grantId = `retention-grant-${run}`;

  async function startFhir(env: Record<string, string> = {}): Promise<INestApplication> {
    const config = loadConfig(FhirConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: issuer.issuer, KAFKA_BROKERS: brokers, ...kafkaServiceEnv(credentials.fhir), CLIENT_STATUS_MAX_STALENESS_SECONDS: '0', ...env });
    const app = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    const started = Date.now();
    while ((await request(app.getHttpServer()).get('/health/ready')).status !== 200) {
      if (Date.now() - started > 30_000) throw new Error('the fhir service did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return app;
  }

  async function retentionMs(): Promise<number> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: GRANT_REVOKED_TOPIC, configNames: ['retention.ms'] }],
    });
    return Number(described.resources[0].configEntries[0].configValue);
  }

  async function statusOf(app: INestApplication, token: string): Promise<number> {
    return (await request(app.getHttpServer()).get(`${BASE_PATH}/Patient/${PATIENT}`).set('Authorization', `Bearer ${token}`)).status;
  }

  async function until(app: INestApplication, token: string, expected: number): Promise<void> {
    const started = Date.now();
    while ((await statusOf(app, token)) !== expected) {
      if (Date.now() - started > 15_000) throw new Error(`still not ${expected}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    const kafka = await ensureKafka();
    brokers = kafka.brokers.join(',');
    credentials = kafka.credentials;
    admin = new Kafka({ clientId: `retention-admin-${run}`, brokers: brokers.split(','), sasl: kafkajsSasl(credentials.admin), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    database = await createTestDatabase();
    issuer = new TestTokenIssuer(fhirBaseUrl({ FHIR_PUBLIC_URL: 'http://localhost:3003', FHIR_BASE_PATH: BASE_PATH }));
    await issuer.start();
    // Signed as registration and authorization sign in the sandbox: the service applies nothing else.
    producer = await sandboxProducers(new KafkaEventBus({ brokers: brokers.split(','), sasl: credentials.admin, clientId: `retention-test-${run}`, logger: silentEventsLogger }));
    // The topics as the authorization service, configured for two-hour tokens, ensures them.
    await producer.ensureTopics(platformTopicSpecs({ accessTokenTtlSeconds: TTL_SECONDS }));
    await producer.start();
  }, 300_000);

  afterAll(async () => {
    await producer?.stop();
    await admin?.disconnect();
    await issuer?.stop();
    await database?.drop();
  });

  it('keeps a revocation of a two-hour token through restarts, whatever lifetime a restarting service has', async () => {
    const wanted = TTL_SECONDS * 1000 + REVOCATION_RETENTION_MARGIN_MS;
    expect(await retentionMs()).toBeGreaterThanOrEqual(wanted);

    const first = await startFhir({ ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS) });
    await first.get(NdjsonLoader).load([
      JSON.stringify({ resourceType: 'Patient', id: PATIENT, meta: { profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient'] } }),
    ]);
    expect(await retentionMs()).toBeGreaterThanOrEqual(wanted);
    const event = testClientEvent(clientId, 'approved', { name: 'Retention app' });
    await producer.publish(CLIENT_CHANGED_TOPIC, [{ key: clientId, value: event }]);
    const token = await issuer.token({ client_id: clientId, patient: PATIENT, grant_id: grantId, expiresIn: TTL_SECONDS });
    await until(first, token, 200);

    await producer.publish(GRANT_REVOKED_TOPIC, [
      {
        key: grantId,
        value: {
          type: 'authorization.grant.revoked',
          version: 1,
          eventId: randomUUID(),
          occurredAt: new Date().toISOString(),
          grantId,
          clientId,
          reason: 'member_revoked',
          expiresAt: new Date(Date.now() + TTL_SECONDS * 1000).toISOString(),
        },
      },
    ]);
    await until(first, token, 401);
    await first.close();

    // A restart with the same setting, then one with the default hour (a misconfigured or older
    // instance): neither shortens the retention, and each still refuses the revoked grant.
    for (const env of [{ ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS) }, {}] as Record<string, string>[]) {
      const restarted = await startFhir(env);
      try {
        expect(await retentionMs()).toBeGreaterThanOrEqual(wanted);
        expect(await statusOf(restarted, token)).toBe(401);
      } finally {
        await restarted.close();
      }
    }
  }, 120_000);
});
