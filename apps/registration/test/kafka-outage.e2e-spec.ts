import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, parseClientStatusHeartbeat } from '@payer-access/client-status';
import { EVENT_SIGNATURE_HEADER, EventKeyRing, sandboxEventSigner } from '@payer-access/events';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, type IsolatedKafka, isRunning, kafkaServiceEnv, metricValue, startIsolatedKafka, type TestDatabase } from '@payer-access/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RegistrationConfig } from '../src/registration.config';
import { ClientStatusHeartbeatPublisher } from '../src/registrations/client-status-heartbeat.publisher';
import { createRegistrationApp } from '../src/registration.service-app';
import { confirmEmail, staffLogin } from './support/accounts';
import { accountBody, applicationBody, PRODUCTION_EVENT_KEYS } from './support/fixtures';
import { TopicRecorder } from './support/kafka';
import { serviceMetrics } from '@payer-access/http';

jest.setTimeout(120_000);

/**
 * docs/product.md#cross-service-revocation: nothing is lost while the broker is down; the outbox delivers once it is back.
 * A broker of this test's own (`startIsolatedKafka`: tools/kafka on free ports and a private data
 * dir), so that killing it disturbs no other test.
 */
describe('registration events survive a Kafka outage', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let kafka: IsolatedKafka;
  let brokers: string;
  const recorders: TopicRecorder[] = [];

  beforeAll(async () => {
    kafka = await startIsolatedKafka('registration-outage');
    brokers = kafka.brokers.join(',');
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'production',
      ...PRODUCTION_EVENT_KEYS,
      KAFKA_BROKERS: brokers,
      ...kafkaServiceEnv(kafka.credentials.registration),
      ADMIN_EMAIL: 'reviewer@plan.example',
      ADMIN_PASSWORD: 'reviewer-password-1',
      PORTAL_JWT_SECRET: 'outage-portal-secret-that-is-long-enough-0123',
      // Nothing listens there: this test is about events, and mail waits in its outbox.
      SMTP_URL: 'smtp://127.0.0.1:9',
      CLIENT_STATUS_HEARTBEAT_INTERVAL_SECONDS: '1',
    });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    for (const recorder of recorders) await recorder.stop().catch(() => undefined);
    await app?.close();
    await database?.drop();
    await kafka?.dispose();
  });

  it('commits a suspension while the broker is dead and publishes it, once, after the broker is back', async () => {
    const http = app.getHttpServer();
    const metrics = async () => (await request(serviceMetrics(app).handler()).get('/metrics').expect(200)).text;
    await request(http).post('/v1/accounts').send(accountBody('dev@acme-health.example', 'developer')).expect(201);
    await confirmEmail(app.get(DataSource), 'dev@acme-health.example');
    const dev = (await request(http).post('/v1/auth/login').send({ email: 'dev@acme-health.example', password: 'correct horse battery staple' }).expect(200)).body
      .access_token;
    const admin = await staffLogin(http, 'reviewer@plan.example', 'reviewer-password-1');
    const { body: created } = await request(http).post('/v1/applications').set('Authorization', `Bearer ${dev}`).send(applicationBody()).expect(201);
    const { body: approved } = await request(http)
      .post(`/v1/admin/registrations/${created.id}/approve`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ reason: 'ok' })
      .expect(200);
    const clientId = approved.clientId as string;

    const before = new TopicRecorder(brokers, CLIENT_CHANGED_TOPIC, kafka.credentials.admin);
    recorders.push(before);
    await before.start();
    await before.waitFor(() => before.forKey(clientId).length === 1, 'the approval event');
    await before.stop();

    // Kill the broker outright (SIGKILL), as a crash would.
    const { pid } = await kafka.status();
    expect(pid).toEqual(expect.any(Number));
    process.kill(pid as number, 'SIGKILL');
    await waitUntil(() => !isRunning(pid as number), 'the broker to die');

    const started = Date.now();
    await request(http).post(`/v1/admin/registrations/${created.id}/suspend`).set('Authorization', `Bearer ${admin}`).send({ reason: 'leak' }).expect(200);
    const suspendMs = Date.now() - started;

    const dataSource = app.get(DataSource);
    await waitUntil(async () => {
      const rows: { attempts: number; last_error: string | null }[] = await dataSource.query(
        `SELECT attempts, last_error FROM outbox WHERE message_key = $1 AND sent_at IS NULL`,
        [clientId],
      );
      return rows.length === 1 && rows[0].attempts >= 1 && rows[0].last_error !== null;
    }, 'a failed publication attempt to be recorded');
    expect(metricValue(await metrics(), 'outbox_pending_events')).toBe(1);
    // While the suspension waits in the outbox, no heartbeat vouches for anything past it.
    const heartbeats = app.get(ClientStatusHeartbeatPublisher);
    expect(await heartbeats.beat()).toBe(false);

    await kafka.start();
    const after = new TopicRecorder(brokers, CLIENT_CHANGED_TOPIC, kafka.credentials.admin);
    recorders.push(after);
    await after.start();
    await after.waitFor(() => after.forKey(clientId).length >= 2, 'the suspension after the restart', 60_000);
    const events = after.forKey(clientId).map((message) => [message.value.clientVersion, message.value.status]);
    expect(events).toEqual([
      [1, 'approved'],
      [2, 'suspended'],
    ]);
    // Heartbeats vouch for nothing the topic does not hold yet: the first whose watermark is past
    // the suspension's commit comes after the suspension, and every heartbeat is signed.
    const watermark = (message: { value: unknown }) => {
      const parsed = parseClientStatusHeartbeat(message.value);
      return parsed.ok ? Date.parse(parsed.heartbeat.watermark) : Number.NaN;
    };
    await after.waitFor(() => after.forKey(CLIENT_STATUS_HEARTBEAT_KEY).some((message) => watermark(message) > started + suspendMs), 'a heartbeat after the suspension', 30_000);
    const suspension = after.forKey(clientId)[1];
    const vouching = after.forKey(CLIENT_STATUS_HEARTBEAT_KEY).filter((message) => watermark(message) >= started);
    expect(vouching.length).toBeGreaterThan(0);
    for (const heartbeat of vouching) expect(BigInt(heartbeat.offset)).toBeGreaterThan(BigInt(suspension.offset));
    const keys = await EventKeyRing.fromJwks([(await sandboxEventSigner('registration')).publicJwk]);
    for (const heartbeat of after.forKey(CLIENT_STATUS_HEARTBEAT_KEY)) {
      expect(await keys.verify(CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, heartbeat.value, heartbeat.headers[EVENT_SIGNATURE_HEADER])).toMatchObject({ ok: true });
    }

    const [{ unsent }] = await dataSource.query(`SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL`);
    expect(unsent).toBe(0);
    expect(await heartbeats.beat()).toBe(true);
    const text = await metrics();
    expect(metricValue(text, 'outbox_pending_events')).toBe(0);
    // Submitted, approved, suspended: each change counted once, the edges not taken at 0.
    expect(metricValue(text, 'registration_status_changes_total', { from: 'none', to: 'pending' })).toBe(1);
    expect(metricValue(text, 'registration_status_changes_total', { from: 'pending', to: 'approved' })).toBe(1);
    expect(metricValue(text, 'registration_status_changes_total', { from: 'approved', to: 'suspended' })).toBe(1);
    expect(metricValue(text, 'registration_status_changes_total', { from: 'suspended', to: 'approved' })).toBe(0);
    // The admin's request did not wait for Kafka.
    expect(suspendMs).toBeLessThan(2_000);
  });
});

async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
