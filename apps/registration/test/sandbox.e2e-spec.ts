import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, parseClientChangedEvent } from '@payer-access/client-status';
import { ConfigValidationError, loadConfig } from '@payer-access/config';
import { Kafka, logLevel } from 'kafkajs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { staffLogin } from './support/accounts';
import { DataSource } from 'typeorm';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { AccountsService } from '../src/accounts/accounts.service';
import { REGISTRATION_CONFIG } from '../src/common/tokens';
import { CredentialsService } from '../src/credentials/credentials.service';
import { ClientRepublisher, REPUBLISHED_REASON } from '../src/registrations/client-republisher.service';
import { REPLAY_HEALED_REASON } from '../src/registrations/client-topic.guard';
import { RegistrationsService } from '../src/registrations/registrations.service';
import { ReviewService } from '../src/review/review.service';
import { SAMPLE_APP_CLIENT, SANDBOX_CLIENT, SANDBOX_PAYER, SandboxSeedService } from '../src/sandbox/sandbox-seed.service';
import { createTestDatabase, ensureKafka, kafkajsSasl, kafkaServiceEnv, type KafkaCredentialSet, type TestDatabase } from '@payer-access/testing';
import { DatabaseProfileMismatchError } from '@payer-access/database';
import { InProcessEventBus, SecretSealer } from '@payer-access/events';
import { Client } from 'pg';
import { TopicRecorder } from './support/kafka';
import { PRODUCTION_EVENT_KEYS } from './support/fixtures';

jest.setTimeout(30_000);

describe('registration service in the sandbox profile', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let brokers: string;
  let credentials: KafkaCredentialSet;
  let recorder: TopicRecorder;
  let adminToken: string;

  beforeAll(async () => {
    const kafka = await ensureKafka();
    brokers = kafka.brokers.join(',');
    credentials = kafka.credentials;
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'sandbox',
      KAFKA_BROKERS: brokers,
      ...kafkaServiceEnv(credentials.registration),
      TRUST_PROXY_HOPS: '1',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '3',
    });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    recorder = new TopicRecorder(brokers, CLIENT_CHANGED_TOPIC, credentials.admin);
    await recorder.start();
  });

  afterAll(async () => {
    await recorder?.stop();
    await app?.close();
    await database?.drop();
  });

  it('creates the published default admin, admin@sandbox.local / sandbox-admin with its published TOTP secret, with a per-process token key', async () => {
    const { body: step } = await request(app.getHttpServer()).post('/v1/auth/login').send({ email: 'admin@sandbox.local', password: 'sandbox-admin' }).expect(200);
    expect(step.second_factor).toBe('required');
    adminToken = await staffLogin(app.getHttpServer(), 'admin@sandbox.local', 'sandbox-admin');
    const claims = JSON.parse(Buffer.from(adminToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ role: 'admin', email: 'admin@sandbox.local', iss: 'http://localhost:3001/portal' });
  });

  it('registers and approves the seed 002 client through the ordinary review path', async () => {
    const { body: queue } = await request(app.getHttpServer())
      .get('/v1/admin/registrations?status=approved')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    // The demo client and the demo payer.
    expect(queue.map((entry: { kind: string }) => entry.kind).sort()).toEqual(['application', 'payer']);
    const seeded = queue.find((entry: { kind: string }) => entry.kind === 'application');
    const { body } = await request(app.getHttpServer())
      .get(`/v1/admin/registrations/${seeded.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect(body).toMatchObject({
      clientId: SANDBOX_CLIENT.clientId,
      clientType: 'confidential',
      redirectUris: ['https://oidcdebugger.com/debug'],
      status: 'approved',
    });
    expect(body.history.map((entry: { action: string; by: { role: string } }) => [entry.action, entry.by.role])).toEqual([
      ['submitted', 'system'],
      ['approve', 'system'],
      ['secret_issued', 'system'],
    ]);
    const [row] = await app.get(DataSource).query(`SELECT secret_hash FROM registration WHERE client_id = $1`, [SANDBOX_CLIENT.clientId]);
    expect(app.get(SecretSealer).matchesSecret(row.secret_hash, SANDBOX_CLIENT.clientSecret)).toBe(true);
  });

  it('publishes it like any other client: approved, then with the seed secret’s hash', async () => {
    const [{ id }] = await app.get(DataSource).query(`SELECT id FROM registration WHERE client_id = $1`, [SANDBOX_CLIENT.clientId]);
    // Every sandbox test run publishes this client_id; this run's events carry this database's registration id.
    const ours = () => recorder.forKey(SANDBOX_CLIENT.clientId).filter((message) => message.value.registrationId === id);
    await recorder.waitFor(() => ours().length >= 2, 'the seed client events');
    const events = ours().map((message) => {
      const parsed = parseClientChangedEvent(message.value);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.rejection));
      return parsed.event;
    });
    expect(events.map((event) => [event.clientVersion, event.status, event.change.actor?.role])).toEqual([
      [1, 'approved', 'system'],
      [2, 'approved', 'system'],
    ]);
    expect(events[1].client.redirectUris).toEqual([SANDBOX_CLIENT.redirectUri]);
    const hash = await app.get(SecretSealer).unseal(SANDBOX_CLIENT.clientId, events[1].client.sealedSecretHash as string);
    expect(app.get(SecretSealer).matchesSecret(hash as string, SANDBOX_CLIENT.clientSecret)).toBe(true);
  });

  it('announces once more, signed and sealed, a client last published before events were signed', async () => {
    const [{ id }] = await app.get(DataSource).query(`SELECT id FROM registration WHERE client_id = $1`, [SANDBOX_CLIENT.clientId]);
    const ours = () => recorder.forKey(SANDBOX_CLIENT.clientId).filter((message) => message.value.registrationId === id);
    await recorder.waitFor(() => ours().length >= 2, 'the seed client events');
    const republisher = app.get(ClientRepublisher);
    expect(await republisher.republishAll()).toBe(0);
    // As the migration leaves every client that existed before it.
    await app.get(DataSource).query(`UPDATE registration SET client_events_signed = false WHERE id = $1`, [id]);
    const [first, second] = await Promise.all([republisher.republishAll(), republisher.republishAll()]);
    expect(first + second).toBe(1);
    await recorder.waitFor(() => ours().length >= 3, 'the republished event');
    const parsed = parseClientChangedEvent(ours()[2].value);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.rejection));
    expect(parsed.event).toMatchObject({ clientVersion: 3, status: 'approved', previousStatus: 'approved', change: { reason: REPUBLISHED_REASON, actor: { role: 'system' } } });
    const hash = await app.get(SecretSealer).unseal(SANDBOX_CLIENT.clientId, parsed.event.client.sealedSecretHash as string);
    expect(app.get(SecretSealer).matchesSecret(hash as string, SANDBOX_CLIENT.clientSecret)).toBe(true);
    expect(await republisher.republishAll()).toBe(0);
  });

  it('answers a replayed older event by publishing the current state again, once', async () => {
    const [{ id }] = await app.get(DataSource).query(`SELECT id FROM registration WHERE client_id = $1`, [SANDBOX_CLIENT.clientId]);
    const ours = () => recorder.forKey(SANDBOX_CLIENT.clientId).filter((message) => message.value.registrationId === id);
    await recorder.waitFor(() => ours().length >= 2, 'the seed client events');
    const before = ours().length;
    const latest = Math.max(...ours().map((message) => message.value.clientVersion as number));
    // The first genuine event, signature and all, written again by whoever can reach the broker.
    const [original] = ours();
    const producer = new Kafka({ clientId: 'replayer', brokers: brokers.split(','), sasl: kafkajsSasl(credentials.admin), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: CLIENT_CHANGED_TOPIC, messages: [{ key: SANDBOX_CLIENT.clientId, value: JSON.stringify(original.value), headers: original.headers }] });
      await recorder.waitFor(() => ours().length >= before + 2, 'the replay and its answer');
      const answer = ours().at(-1)?.value as { clientVersion: number; status: string; change: { reason?: string } };
      expect(answer).toMatchObject({ clientVersion: latest + 1, status: 'approved', change: { reason: REPLAY_HEALED_REASON } });
      // The answer is the newest event again: nothing more is published.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(ours()).toHaveLength(before + 2);
    } finally {
      await producer.disconnect();
    }
  });

  it('registers and approves the demo payer with its published public key and no secret', async () => {
    const [{ id }] = await app.get(DataSource).query(`SELECT id FROM registration WHERE client_id = $1`, [SANDBOX_PAYER.clientId]);
    const { body } = await request(app.getHttpServer()).get(`/v1/admin/registrations/${id}`).set('Authorization', `Bearer ${adminToken}`).expect(200);
    expect(body).toMatchObject({ kind: 'payer', status: 'approved', clientType: 'confidential', jwks: SANDBOX_PAYER.jwks, jwksUri: null });
    expect(body.history.map((entry: { action: string }) => entry.action)).toEqual(['submitted', 'approve']);
    const [row] = await app.get(DataSource).query(`SELECT secret_hash FROM registration WHERE id = $1`, [id]);
    expect(row.secret_hash).toBeNull();

    // The private half published for the sandbox is the pair of the registered public key.
    const privateJwk = JSON.parse(readFileSync(join(__dirname, '../../../tools/sandbox/demo-payer/private-key.jwk.json'), 'utf8'));
    const derived = createPublicKey(createPrivateKey({ key: privateJwk, format: 'jwk' })).export({ format: 'jwk' });
    expect({ x: derived.x, y: derived.y, crv: derived.crv }).toEqual({ x: SANDBOX_PAYER.jwks.keys[0].x, y: SANDBOX_PAYER.jwks.keys[0].y, crv: 'P-384' });
    expect(privateJwk.kid).toBe(SANDBOX_PAYER.jwks.keys[0].kid);

    const ours = () => recorder.forKey(SANDBOX_PAYER.clientId).filter((message) => message.value.registrationId === id);
    await recorder.waitFor(() => ours().length >= 1, 'the demo payer event');
    const parsed = parseClientChangedEvent(ours()[0].value);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.rejection));
    expect(parsed.event).toMatchObject({ kind: 'payer', status: 'approved', client: { jwks: SANDBOX_PAYER.jwks, sealedSecretHash: null, system: true } });
  });

  it('seeds once: a restart finds the clients and adds nothing', async () => {
    await app.get(SandboxSeedService).onApplicationBootstrap();
    const [{ count }] = await app.get(DataSource).query(`SELECT count(*)::int AS count FROM registration`);
    expect(count).toBe(2);
  });

  it('registers the sample SMART app as an approved public client when its origin is set, once', async () => {
    const seeder = (origin: string) =>
      new SandboxSeedService(
        app.get(DataSource),
        { ...app.get<RegistrationConfig>(REGISTRATION_CONFIG), SANDBOX_SAMPLE_APP_URL: origin },
        app.get(AccountsService),
        app.get(RegistrationsService),
        app.get(ReviewService),
        app.get(CredentialsService),
      );
    await seeder('http://localhost:3005/ignored/path').onApplicationBootstrap();
    // A restart on another origin keeps the registration staff approved.
    await seeder('http://localhost:4005').onApplicationBootstrap();
    const rows = await app
      .get(DataSource)
      .query(`SELECT id, client_type, status, redirect_uris, secret_hash FROM registration WHERE client_id = $1`, [SAMPLE_APP_CLIENT.clientId]);
    expect(rows).toEqual([{ id: expect.any(String), client_type: 'public', status: 'approved', redirect_uris: ['http://localhost:3005/app.html'], secret_hash: null }]);
    // Every sandbox test run publishes this client_id; this run's events carry this database's registration id.
    const ours = () => recorder.forKey(SAMPLE_APP_CLIENT.clientId).filter((message) => message.value.registrationId === rows[0].id);
    await recorder.waitFor(() => ours().length >= 1, 'the sample app approval event');
    const parsed = parseClientChangedEvent(ours()[0].value);
    expect(parsed.ok && [parsed.event.status, parsed.event.client.clientType, parsed.event.client.sealedSecretHash]).toEqual(['approved', 'public', null]);
  });

  it('will not start in production without its secrets or without Kafka', async () => {
    const base = { DATABASE_URL: database.url, PROFILE: 'production', MIGRATE_ON_START: 'false', ...PRODUCTION_EVENT_KEYS };
    expect(() => loadConfig(RegistrationConfig, { ...base, KAFKA_BROKERS: brokers, ...kafkaServiceEnv(credentials.registration) })).toThrow(
      new ConfigValidationError([
        'ADMIN_EMAIL is required in the production profile',
        'ADMIN_PASSWORD is required in the production profile',
        'PORTAL_JWT_SECRET is required in the production profile',
        'SMTP_URL is required in the production profile',
      ]),
    );
    const secrets = { ADMIN_EMAIL: 'staff@plan.example', ADMIN_PASSWORD: 'staff-password-1', PORTAL_JWT_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:9' };
    const noKafka = loadConfig(RegistrationConfig, { ...base, ...secrets });
    await expect(createRegistrationApp({ ...noKafka, DATABASE_URL: database.url }, { logger: false })).rejects.toThrow(
      'KAFKA_BROKERS is required in the production profile',
    );
  });

  it('refuses to seed a database a production service has used', async () => {
    const production = await createTestDatabase();
    try {
      const secrets = { ADMIN_EMAIL: 'staff@plan.example', ADMIN_PASSWORD: 'staff-password-1', PORTAL_JWT_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:9' };
      const productionConfig = loadConfig(RegistrationConfig, { DATABASE_URL: production.url, PROFILE: 'production', ...secrets, ...PRODUCTION_EVENT_KEYS });
      const first = await createRegistrationApp({ ...productionConfig, DATABASE_URL: production.url }, { logger: false, eventBus: new InProcessEventBus() });
      await first.init();
      await first.close();

      const sandboxConfig = loadConfig(RegistrationConfig, { DATABASE_URL: production.url, PROFILE: 'sandbox' });
      await expect(createRegistrationApp({ ...sandboxConfig, DATABASE_URL: production.url }, { logger: false, eventBus: new InProcessEventBus() })).rejects.toThrow(DatabaseProfileMismatchError);

      const client = new Client({ connectionString: production.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT (SELECT count(*)::int FROM registration.registration) AS registrations,
                  (SELECT count(*)::int FROM registration.account WHERE email = 'admin@sandbox.local') AS sandbox_admins,
                  (SELECT profile FROM registration.database_profile) AS profile`,
        );
        expect(rows).toEqual([{ registrations: 0, sandbox_admins: 0, profile: 'production' }]);
      } finally {
        await client.end();
      }
    } finally {
      await production.drop();
    }
  });

  it('keeps production off the database the sandbox set up, with its published demo credentials', async () => {
    const secrets = { ADMIN_EMAIL: 'staff@plan.example', ADMIN_PASSWORD: 'staff-password-1', PORTAL_JWT_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:9' };
    const config = loadConfig(RegistrationConfig, { DATABASE_URL: database.url, PROFILE: 'production', ...secrets, ...PRODUCTION_EVENT_KEYS });
    await expect(createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: new InProcessEventBus() })).rejects.toThrow(
      /registration schema was set up by the sandbox profile/,
    );
    const [{ profile }] = await app.get(DataSource).query('SELECT profile FROM database_profile');
    expect(profile).toBe('sandbox');
  });

  it.each(['REGISTRATION_EVENT_SIGNING_KEY', 'CLIENT_SECRET_SEALING_KEY'])('will not start in production without %s: its configuration does not load, and says so in one line', async (variable) => {
    const { [variable as keyof typeof PRODUCTION_EVENT_KEYS]: _omitted, ...keys } = PRODUCTION_EVENT_KEYS;
    const env = { DATABASE_URL: database.url, MIGRATE_ON_START: 'false', KAFKA_BROKERS: brokers, ...kafkaServiceEnv(credentials.registration), ADMIN_EMAIL: 'staff@plan.example', ADMIN_PASSWORD: 'staff-password-1', PORTAL_JWT_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:9', ...keys };
    expect(() => loadConfig(RegistrationConfig, { ...env, PROFILE: 'production' })).toThrow(new ConfigValidationError([`${variable} is required in the production profile`]));
    // Nor when the service is handed a configuration that skipped validation.
    const config = { ...loadConfig(RegistrationConfig, { ...env, PROFILE: 'sandbox' }), PROFILE: 'production' as const };
    await expect(createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false })).rejects.toThrow(
      new RegExp(`^${variable} is required in the production profile: [^\\n]+$`),
    );
  });

  it('behind a trusted proxy, counts failed logins per forwarded client address', async () => {
    const http = app.getHttpServer();
    const attempt = (address: string, password: string) =>
      request(http).post('/v1/auth/login').set('X-Forwarded-For', address).send({ email: 'admin@sandbox.local', password });
    for (let i = 0; i < 3; i += 1) await attempt('203.0.113.7', `wrong-${i}`).expect(401);
    await attempt('203.0.113.7', 'sandbox-admin').expect(429);
    // Another client behind the same proxy is not locked out by the first one's failures.
    await attempt('198.51.100.20', 'sandbox-admin').expect(200);
  });
});
