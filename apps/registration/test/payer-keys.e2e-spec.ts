import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, parseClientChangedEvent, type ClientChangedEventV1 } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, ensureKafka, kafkaServiceEnv, type TestDatabase, SmtpCatcher } from '@payer-access/testing';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { PRODUCTION_EVENT_KEYS } from './support/fixtures';
import { DataSource } from 'typeorm';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { confirmEmail, staffLogin } from './support/accounts';
import { accountBody, applicationBody, payerBody } from './support/fixtures';
import { TopicRecorder } from './support/kafka';

jest.setTimeout(30_000);

const ADMIN = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };
const PASSWORD = 'correct horse battery staple';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
const EC_PUBLIC = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'cm-ec-1', alg: 'ES384', use: 'sig' };
const RSA_PUBLIC = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'cm-rsa-1', alg: 'RS384' };
const EC_PRIVATE = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'cm-ec-1' };
const RSA_PRIVATE = rsa.privateKey.export({ format: 'jwk' });

/**
 * A payer's public keys for SMART Backend Services (private_key_jwt): checked at registration,
 * shown to staff, held for review once approved, and carried on the client event, in the
 * production profile against a real PostgreSQL and Kafka.
 */
describe('payer keys at registration', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let smtp: SmtpCatcher;
  let recorder: TopicRecorder;
  const tokens = { admin: '', payer: '', dev: '' };
  const as = (who: keyof typeof tokens) => ({ Authorization: `Bearer ${tokens[who]}` });

  async function login(email: string, password = PASSWORD): Promise<string> {
    const { body } = await request(http).post('/v1/auth/login').send({ email, password }).expect(200);
    return body.access_token as string;
  }

  async function events(clientId: string, count: number): Promise<ClientChangedEventV1[]> {
    await recorder.waitFor(() => recorder.forKey(clientId).length >= count, `${count} event(s) of ${clientId}`);
    return recorder.forKey(clientId).map((message) => {
      const parsed = parseClientChangedEvent(message.value);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.rejection));
      return parsed.event;
    });
  }

  beforeAll(async () => {
    const kafka = await ensureKafka();
    const brokers = kafka.brokers.join(',');
    smtp = new SmtpCatcher();
    await smtp.start();
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'production',
      ...PRODUCTION_EVENT_KEYS,
      KAFKA_BROKERS: brokers,
      ...kafkaServiceEnv(kafka.credentials.registration),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      PORTAL_JWT_SECRET: 'e2e-portal-secret-that-is-long-enough-0123456789',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'api-access@plan.example',
      OUTBOX_POLL_INTERVAL_MS: '50',
    });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    http = app.getHttpServer();
    recorder = new TopicRecorder(brokers, CLIENT_CHANGED_TOPIC, kafka.credentials.admin);
    await recorder.start();
    await request(http).post('/v1/accounts').send(accountBody('payer@carolina-mutual.example', 'payer')).expect(201);
    await confirmEmail(app.get(DataSource), 'payer@carolina-mutual.example');
    await request(http).post('/v1/accounts').send(accountBody('dev@acme-health.example', 'developer')).expect(201);
    await confirmEmail(app.get(DataSource), 'dev@acme-health.example');
    tokens.admin = await staffLogin(http, ADMIN.email, ADMIN.password);
    tokens.payer = await login('payer@carolina-mutual.example');
    tokens.dev = await login('dev@acme-health.example');
  });

  afterAll(async () => {
    await recorder?.stop();
    await app?.close();
    await smtp?.stop();
    await database?.drop();
  });

  const nested = (depth: number): unknown => (depth === 0 ? {} : { a: nested(depth - 1) });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an RSA private key', { jwks: { keys: [RSA_PRIVATE] } }, /jwks\.keys\.0 contains private key material \(d, p, q, dp, dq, qi\)/],
    ['an EC private key beside a public one', { jwks: { keys: [RSA_PUBLIC, EC_PRIVATE] } }, /jwks\.keys\.1 contains private key material \(d\)/],
    ['a symmetric key', { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldA' }] } }, /private key material \(k\)/],
    ['an RSA key of 1024 bits', { jwks: { keys: [weak.publicKey.export({ format: 'jwk' })] } }, /2048 to 8192 bits/],
    ['keys that are not an array', { jwks: { keys: { 0: EC_PUBLIC } } }, /1 to 10 keys/],
    ['a key set that is a string', { jwks: 'keys' }, /jwks must be an object/],
    ['a key set that is an array', { jwks: [EC_PUBLIC] }, /jwks must be an object/],
    // The service's edge refuses these before any field rule sees them.
    ['a deeply nested key', { jwks: { keys: [{ ...EC_PUBLIC, ext: nested(200) }] } }, /nested deeper than 32 levels/],
    ['a NUL byte in a kid', { jwks: { keys: [{ ...EC_PUBLIC, kid: 'a\u0000' }] } }, /contains a NUL character/],
    ['a kid in odd Unicode', { jwks: { keys: [{ ...EC_PUBLIC, kid: 'k\u202eey' }] } }, /kid must be a string of 1 to 200 printable characters/],
    ['both jwks and jwksUri', { jwks: { keys: [EC_PUBLIC] }, jwksUri: 'https://carolina-mutual.example/jwks.json' }, /not both/],
    ['a plain-http JWKS URL', { jwksUri: 'http://carolina-mutual.example/jwks.json' }, /jwksUri must be https/],
    ['a localhost JWKS URL outside the sandbox', { jwksUri: 'http://localhost:8080/jwks.json' }, /sandbox only/],
    ['a JWKS URL that is a number', { jwksUri: 42 }, /jwksUri must be a string/],
  ])('refuses %s with 400 and says why', async (_label, keys, message) => {
    const response = await request(http).post('/v1/payers').set(as('payer')).send(payerBody(keys));
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(message);
    // Private material sent by mistake is never echoed back.
    expect(JSON.stringify(response.body)).not.toContain(String(RSA_PRIVATE.d));
    expect(JSON.stringify(response.body)).not.toContain(String(EC_PRIVATE.d));
  });

  it('refuses keys on an application registration (400)', async () => {
    await request(http).post('/v1/applications').set(as('dev')).send(applicationBody({ jwks: { keys: [EC_PUBLIC] } })).expect(400);
    const { body } = await request(http).post('/v1/applications').set(as('dev')).send(applicationBody()).expect(201);
    const response = await request(http).patch(`/v1/registrations/${body.id}`).set(as('dev')).send({ jwksUri: 'https://acme-health.example/jwks.json' }).expect(400);
    expect(JSON.stringify(response.body.message)).toMatch(/jwksUri applies to payer registrations only/);
  });

  it('registers a payer with its public keys, shows them to staff, and publishes them at approval', async () => {
    const { body: created } = await request(http)
      .post('/v1/payers')
      .set(as('payer'))
      .send(payerBody({ jwks: { keys: [EC_PUBLIC, RSA_PUBLIC] } }))
      .expect(201);
    const { body: own } = await request(http).get(`/v1/registrations/${created.id}`).set(as('payer')).expect(200);
    expect(own.jwks).toEqual({ keys: [EC_PUBLIC, RSA_PUBLIC] });
    expect(own.jwksUri).toBeNull();

    const { body: staffView } = await request(http).get(`/v1/admin/registrations/${created.id}`).set(as('admin')).expect(200);
    expect(staffView.jwks.keys.map((key: { kid: string }) => key.kid)).toEqual(['cm-ec-1', 'cm-rsa-1']);

    // While pending, the owner's key change applies at once.
    const { body: pending } = await request(http).patch(`/v1/registrations/${created.id}`).set(as('payer')).send({ jwks: { keys: [EC_PUBLIC] } }).expect(200);
    expect(pending.jwks).toEqual({ keys: [EC_PUBLIC] });
    expect(pending.pendingChange).toBeNull();

    const { body: approved } = await request(http).post(`/v1/admin/registrations/${created.id}/approve`).set(as('admin')).send({ reason: 'Keys verified with the payer.' }).expect(200);
    const [first] = await events(approved.clientId, 1);
    expect(first).toMatchObject({ kind: 'payer', status: 'approved', client: { system: true, jwks: { keys: [EC_PUBLIC] } } });
    expect(first.client.jwksUri).toBeUndefined();
  });

  it('holds a key change of an approved payer for staff; the keys in force travel until approval', async () => {
    const { body: created } = await request(http).post('/v1/payers').set(as('payer')).send(payerBody({ name: 'Rotating Plan', jwks: { keys: [EC_PUBLIC] } })).expect(201);
    const { body: approved } = await request(http).post(`/v1/admin/registrations/${created.id}/approve`).set(as('admin')).send({ reason: 'ok' }).expect(200);
    await events(approved.clientId, 1);

    const { body: held } = await request(http)
      .patch(`/v1/registrations/${created.id}`)
      .set(as('payer'))
      .send({ jwksUri: 'https://carolina-mutual.example/.well-known/jwks.json' })
      .expect(200);
    expect(held.jwks).toEqual({ keys: [EC_PUBLIC] });
    expect(held.jwksUri).toBeNull();
    expect(held.pendingChange.values).toEqual({ jwksUri: 'https://carolina-mutual.example/.well-known/jwks.json', jwks: null });
    const outboxRows = async () => (await app.get(DataSource).query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`, [approved.clientId]))[0].n as number;
    expect(await outboxRows()).toBe(1);

    const { body: staffView } = await request(http).get(`/v1/admin/registrations/${created.id}`).set(as('admin')).expect(200);
    expect(staffView.allowedActions).toEqual(expect.arrayContaining(['approve-change', 'reject-change']));
    expect(staffView.history.at(-1)).toMatchObject({ action: 'change_requested', reason: 'asked to change jwksUri, jwks' });

    const { body: decided } = await request(http)
      .post(`/v1/admin/registrations/${created.id}/approve-change`)
      .set(as('admin'))
      .send({ reason: 'Key URL confirmed by phone.', changeId: held.pendingChange.id })
      .expect(200);
    expect(decided).toMatchObject({ jwks: null, jwksUri: 'https://carolina-mutual.example/.well-known/jwks.json', pendingChange: null });
    const [, second] = await events(approved.clientId, 2);
    expect(second.client.jwksUri).toBe('https://carolina-mutual.example/.well-known/jwks.json');
    expect(second.client.jwks).toBeUndefined();

    // A refused key set on an approved payer is a 400 too, and nothing is held.
    await request(http).patch(`/v1/registrations/${created.id}`).set(as('payer')).send({ jwks: { keys: [EC_PRIVATE] } }).expect(400);
    const { body: after } = await request(http).get(`/v1/registrations/${created.id}`).set(as('payer')).expect(200);
    expect(after.pendingChange).toBeNull();
  });
});
