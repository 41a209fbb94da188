import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, parseClientChangedEvent } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { EVENT_SIGNATURE_HEADER, EventKeyRing, sandboxEventSigner, SecretSealer } from '@payer-access/events';
import { createTestDatabase, ensureKafka, kafkajsSasl, kafkaServiceEnv, type KafkaCredentialSet, type TestDatabase, SmtpCatcher } from '@payer-access/testing';
import * as argon2 from 'argon2';
import { SignJWT } from 'jose';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { confirmEmail, staffLogin } from './support/accounts';
import { accountBody, applicationBody, payerBody, PRODUCTION_EVENT_KEYS } from './support/fixtures';
import { TopicRecorder } from './support/kafka';

jest.setTimeout(30_000);

const ADMIN = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };
const PASSWORD = 'correct horse battery staple';

const PORTAL_SECRET = 'e2e-portal-secret-that-is-long-enough-0123456789';

describe('registration service: accounts, registrations, review, credentials, events', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let smtp: SmtpCatcher;
  let recorder: TopicRecorder;
  let brokers: string;
  let credentials: KafkaCredentialSet;
  const tokens: Record<'admin' | 'dev' | 'other' | 'payer', string> = { admin: '', dev: '', other: '', payer: '' };

  async function login(email: string, password = PASSWORD): Promise<string> {
    const { body } = await request(http).post('/v1/auth/login').send({ email, password }).expect(200);
    return body.access_token as string;
  }

  const as = (who: keyof typeof tokens) => ({ Authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    const kafka = await ensureKafka();
    brokers = kafka.brokers.join(',');
    credentials = kafka.credentials;
    smtp = new SmtpCatcher();
    await smtp.start();
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'production',
      ...PRODUCTION_EVENT_KEYS,
      KAFKA_BROKERS: brokers,
      ...kafkaServiceEnv(credentials.registration),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      PORTAL_JWT_SECRET: PORTAL_SECRET,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'api-access@plan.example',
      OUTBOX_POLL_INTERVAL_MS: '50',
    });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    http = app.getHttpServer();
    recorder = new TopicRecorder(brokers, CLIENT_CHANGED_TOPIC, credentials.admin);

    await request(http).post('/v1/accounts').send(accountBody('dev@acme-health.example', 'developer')).expect(201);
    await confirmEmail(app.get(DataSource), 'dev@acme-health.example');
    await request(http).post('/v1/accounts').send(accountBody('other@elsewhere.example', 'developer')).expect(201);
    await confirmEmail(app.get(DataSource), 'other@elsewhere.example');
    await request(http).post('/v1/accounts').send(accountBody('payer@carolina-mutual.example', 'payer')).expect(201);
    await confirmEmail(app.get(DataSource), 'payer@carolina-mutual.example');
    tokens.admin = await staffLogin(http, ADMIN.email, ADMIN.password);
    tokens.dev = await login('dev@acme-health.example');
    tokens.other = await login('other@elsewhere.example');
    tokens.payer = await login('payer@carolina-mutual.example');
  });

  afterAll(async () => {
    await recorder?.stop();
    await app?.close();
    await smtp?.stop();
    await database?.drop();
  });

  describe('accounts', () => {
    it('signs up without ever returning or storing the password in clear', async () => {
      const { body } = await request(http).post('/v1/accounts').send(accountBody('Second.Dev@Acme-Health.example', 'developer')).expect(201);
      expect(body).toEqual({
        id: expect.any(String),
        email: 'second.dev@acme-health.example',
        name: 'Ada Lovelace',
        organization: 'Acme',
        phone: '+1 919-555-0100',
        kind: 'developer',
        createdAt: expect.any(String),
        emailVerified: false,
        secondFactor: false,
        recoveryCodesLeft: 0,
      });
      const [row] = await app.get(DataSource).query(`SELECT password_hash FROM account WHERE id = $1`, [body.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await argon2.verify(row.password_hash, PASSWORD)).toBe(true);
    });

    it('refuses a second account with the same email, whatever its case (409)', async () => {
      const { body } = await request(http).post('/v1/accounts').send(accountBody('DEV@acme-health.example', 'payer')).expect(409);
      expect(body).toEqual({ statusCode: 409, error: 'Conflict', message: 'An account with this email already exists', code: 'email_taken' });
    });

    it('answers malformed sign-ups with 400 and one message per field', async () => {
      const { body } = await request(http)
        .post('/v1/accounts')
        .send({ email: 'not-an-email', password: 'short', name: '', organization: 'Acme', phone: 'call me', kind: 'staff', role: 'admin' })
        .expect(400);
      expect(body.statusCode).toBe(400);
      expect(body.error).toBe('Bad Request');
      expect(body.message).toEqual(
        expect.arrayContaining([
          'property role should not exist',
          'email must be an email',
          'password must be longer than or equal to 12 characters',
          'name must be longer than or equal to 1 characters',
          'phone must be a phone number such as +1 919-555-0100',
          'kind must be one of the following values: developer, payer',
        ]),
      );
    });

    it('answers a body that is not JSON with 400, not a stack trace', async () => {
      const { body } = await request(http).post('/v1/accounts').set('Content-Type', 'application/json').send('{"email":').expect(400);
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/);
    });

    it('logs in with a short-lived bearer token and refuses a wrong password (401)', async () => {
      const { body } = await request(http).post('/v1/auth/login').send({ email: 'dev@acme-health.example', password: PASSWORD }).expect(200);
      expect(body).toEqual({ access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), token_type: 'Bearer', expires_in: 900 });
      const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
      expect(claims.exp - claims.iat).toBe(900);
      expect(claims.role).toBe('developer');
      const me = await request(http).get('/v1/accounts/me').set('Authorization', `Bearer ${body.access_token}`).expect(200);
      expect(me.body.email).toBe('dev@acme-health.example');

      await request(http).post('/v1/auth/login').send({ email: 'dev@acme-health.example', password: 'wrong password!' }).expect(401, {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid email or password',
        code: 'invalid_credentials',
      });
    });

    it('refuses missing, forged and tampered tokens (401)', async () => {
      expect((await request(http).get('/v1/registrations').expect(401)).body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Unauthorized' });
      const [header, payload, signature] = tokens.dev.split('.');
      const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })).toString('base64url');
      await request(http).get('/v1/admin/registrations').set('Authorization', `Bearer ${header}.${elevated}.${signature}`).expect(401);
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      await request(http).get('/v1/registrations').set('Authorization', `Bearer ${none}.${payload}.`).expect(401);
    });

    it('checks portal tokens with the platform verifier: the right key is not enough without the right typ, issuer, audience, lifetime and header', async () => {
      const claims = JSON.parse(Buffer.from(tokens.dev.split('.')[1], 'base64url').toString()) as { iss: string; aud: string; sub: string; email: string; role: string };
      const secret = new TextEncoder().encode(PORTAL_SECRET);
      const forge = (change: { typ?: string; iss?: string; aud?: string; exp?: number }) =>
        new SignJWT({ email: claims.email, role: claims.role })
          .setProtectedHeader({ alg: 'HS256', typ: change.typ ?? 'JWT' })
          .setIssuer(change.iss ?? claims.iss)
          .setAudience(change.aud ?? claims.aud)
          .setSubject(claims.sub)
          .setIssuedAt()
          .setExpirationTime(change.exp ?? '5m')
          .sign(secret);
      const me = (token: string) => request(http).get('/v1/accounts/me').set('Authorization', `Bearer ${token}`);
      expect((await me(await forge({}))).status).toBe(200);
      for (const change of [{ typ: 'at+jwt' }, { iss: 'https://elsewhere.example/portal' }, { aud: 'another-api' }, { exp: Math.floor(Date.now() / 1000) - 60 }]) {
        expect({ change, status: (await me(await forge(change))).status }).toEqual({ change, status: 401 });
      }
      // RFC 6750 §2.1 only: a token in the query string is not looked at.
      expect((await request(http).get(`/v1/accounts/me?access_token=${tokens.dev}`)).status).toBe(401);
    });
  });

  describe('registrations', () => {
    let applicationId: string;

    it('lets a developer register an application: 201, pending', async () => {
      const { body } = await request(http).post('/v1/applications').set(as('dev')).send(applicationBody()).expect(201);
      expect(body).toEqual({ id: expect.any(String), status: 'pending', kind: 'application', submittedAt: expect.any(String) });
      applicationId = body.id;
      const read = await request(http).get(`/v1/registrations/${applicationId}`).set(as('dev')).expect(200);
      expect(read.body).toMatchObject({ ...applicationBody(), status: 'pending', clientId: null, documentEmail: null });
      // The owner sees the seed 001 clock and the history, but never which staff member acted.
      expect(read.body.reviewClock).toMatchObject({ businessDaysWaiting: 0, limit: 10, overdue: false });
      expect(read.body.history).toEqual([{ at: expect.any(String), action: 'submitted', from: null, to: 'pending', reason: null, byRole: 'owner' }]);
    });

    it('keeps each kind to its accounts: a payer cannot register an application, nor a developer a payer (403)', async () => {
      await request(http).post('/v1/applications').set(as('payer')).send(applicationBody()).expect(403);
      await request(http).post('/v1/payers').set(as('dev')).send(payerBody()).expect(403);
      await request(http).post('/v1/applications').set(as('admin')).send(applicationBody()).expect(403);
    });

    it('lets a payer register: 201, pending, confidential', async () => {
      const { body } = await request(http).post('/v1/payers').set(as('payer')).send(payerBody()).expect(201);
      expect(body.status).toBe('pending');
      const read = await request(http).get(`/v1/registrations/${body.id}`).set(as('payer')).expect(200);
      expect(read.body).toMatchObject({ kind: 'payer', clientType: 'confidential', documentEmail: 'payer-documents@carolina-mutual.example' });
      expect(read.body.reviewClock).toBeNull();
    });

    it.each([
      [{ redirectUris: ['https://acme-health.example/cb#section'] }, 'redirectUris.0 must not contain a fragment (#)'],
      [
        { redirectUris: ['https://acme-health.example/cb', 'http://acme-health.example/cb'] },
        'redirectUris.1 must be an absolute https URL, a loopback http://127.0.0.1:port/ URL, or (public clients) a private-use scheme such as com.example.app:/callback',
      ],
      [{ redirectUris: ['com.acme.health:/callback'] }, 'redirectUris.0 may use a private-use scheme only for a public (native) client'],
      [{ redirectUris: [] }, 'redirectUris must contain at least 1 elements'],
      [{ privacyPolicyUrl: 'http://acme-health.example/privacy' }, 'privacyPolicyUrl must be an https URL (http only on localhost or 127.0.0.1)'],
      [{ clientType: 'secret' }, 'clientType must be one of the following values: confidential, public'],
      [{ contactEmail: 'nobody' }, 'contactEmail must be an email'],
      [{ attestations: { supportsOpenIdConnectAndOAuth2: 'yes' } }, 'attestations.supportsOpenIdConnectAndOAuth2 must be a boolean value'],
      [{ attestations: {} }, 'attestations.sellsMemberData must be a boolean value'],
    ])('refuses %j with 400 naming the field', async (override, message) => {
      const { body } = await request(http).post('/v1/applications').set(as('dev')).send(applicationBody(override)).expect(400);
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(body.message).toContain(message);
    });

    it('accepts native-app redirect URIs for a public client (RFC 8252)', async () => {
      const { body } = await request(http)
        .post('/v1/applications')
        .set(as('dev'))
        .send(applicationBody({ clientType: 'public', redirectUris: ['com.acme.health:/callback', 'http://127.0.0.1:8765/callback'] }))
        .expect(201);
      expect(body.status).toBe('pending');
    });

    it("hides other owners' registrations: 404 to read, update, or ask credentials", async () => {
      await request(http).get(`/v1/registrations/${applicationId}`).set(as('other')).expect(404, {
        statusCode: 404,
        error: 'Not Found',
        message: 'Registration not found',
        code: 'not_found',
      });
      await request(http).patch(`/v1/registrations/${applicationId}`).set(as('other')).send({ name: 'Mine now' }).expect(404);
      await request(http).get(`/v1/registrations/${applicationId}/credentials`).set(as('other')).expect(404);
      await request(http).post(`/v1/registrations/${applicationId}/review-requests`).set(as('other')).send({ message: 'x' }).expect(404);
      const { body } = await request(http).get('/v1/registrations').set(as('other')).expect(200);
      expect(body).toEqual([]);
      await request(http).get('/v1/registrations/not-a-uuid').set(as('dev')).expect(404);
    });

    it('lists and updates only the owner’s own registrations', async () => {
      const list = await request(http).get('/v1/registrations').set(as('dev')).expect(200);
      expect(list.body.map((each: { kind: string }) => each.kind)).toEqual(['application', 'application']);
      const { body } = await request(http)
        .patch(`/v1/registrations/${applicationId}`)
        .set(as('dev'))
        .send({ contactPhone: '+1 919-555-0199', attestations: { storesTokensSecurely: true } })
        .expect(200);
      expect(body.contactPhone).toBe('+1 919-555-0199');
      await request(http).patch(`/v1/registrations/${applicationId}`).set(as('dev')).send({ documentEmail: 'x@acme.example' }).expect(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: ['documentEmail applies to payer registrations only'],
        code: 'invalid_request',
      });
    });

    it('keeps developers out of the admin routes (403)', async () => {
      expect((await request(http).get('/v1/admin/registrations').set(as('dev')).expect(403)).body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'This route is for admin accounts',
      });
      await request(http).get(`/v1/admin/registrations/${applicationId}`).set(as('dev')).expect(403);
      await request(http).post(`/v1/admin/registrations/${applicationId}/approve`).set(as('dev')).send({ reason: 'self-service' }).expect(403);
      const { body } = await request(http).get(`/v1/registrations/${applicationId}`).set(as('dev')).expect(200);
      expect(body.status).toBe('pending');
    });
  });

  describe('review, credentials and events', () => {
    let id: string;
    let clientId: string;
    let firstSecret: string;
    let rotatedSecret: string;

    beforeAll(async () => {
      const { body } = await request(http)
        .post('/v1/applications')
        .set(as('dev'))
        .send(applicationBody({ name: 'Lifecycle App', contactEmail: 'lifecycle@acme-health.example' }))
        .expect(201);
      id = body.id;
    });

    const admin = (action: string, reason: string) => request(http).post(`/v1/admin/registrations/${id}/${action}`).set(as('admin')).send({ reason });

    it('shows the queue filtered by kind and status, applications with their business-day clock', async () => {
      const applications = await request(http).get('/v1/admin/registrations?kind=application&status=pending').set(as('admin')).expect(200);
      expect(applications.body.length).toBeGreaterThanOrEqual(3);
      for (const item of applications.body) {
        expect(item).toMatchObject({ kind: 'application', status: 'pending', overdue: false, reviewClock: { businessDaysWaiting: 0, limit: 10, overdue: false } });
      }
      const payers = await request(http).get('/v1/admin/registrations?kind=payer').set(as('admin')).expect(200);
      expect(payers.body).toHaveLength(1);
      expect(payers.body[0]).toMatchObject({ kind: 'payer', reviewClock: null, overdue: false });
      await request(http).get('/v1/admin/registrations?status=lost&overdue=maybe').set(as('admin')).expect(400);
    });

    it('flags an application overdue after 10 business days, never a payer', async () => {
      const dataSource = app.get(DataSource);
      // Thirty calendar days is more than ten business days whatever the holidays.
      await dataSource.query(`UPDATE registration SET review_clock_started_at = now() - interval '30 days' WHERE id = $1`, [id]);
      await dataSource.query(`UPDATE registration SET review_clock_started_at = now() - interval '30 days' WHERE kind = 'payer'`);
      const overdue = await request(http).get('/v1/admin/registrations?overdue=true').set(as('admin')).expect(200);
      expect(overdue.body.map((item: { id: string }) => item.id)).toEqual([id]);
      expect(overdue.body[0].reviewClock.businessDaysWaiting).toBeGreaterThan(10);
      const all = await request(http).get('/v1/admin/registrations').set(as('admin')).expect(200);
      expect(all.body[0].id).toBe(id);
      const notOverdue = await request(http).get('/v1/admin/registrations?overdue=false').set(as('admin')).expect(200);
      expect(notOverdue.body.map((item: { id: string }) => item.id)).not.toContain(id);
    });

    it('requests information by email; the owner’s answer restarts the clock', async () => {
      const { body } = await admin('request-information', 'Please link the section of your privacy policy on data sales.').expect(200);
      expect(body.status).toBe('pending');
      const mail = await smtp.waitFor((each) => each.subject === 'More information needed: Lifecycle App', 'information request');
      expect(mail.to).toEqual(['lifecycle@acme-health.example']);
      expect(mail.text).toContain('Please link the section of your privacy policy on data sales.');

      await request(http).patch(`/v1/registrations/${id}`).set(as('dev')).send({ privacyPolicyUrl: 'https://acme-health.example/privacy#sales'.replace('#sales', '/sales') }).expect(200);
      const detail = await request(http).get(`/v1/admin/registrations/${id}`).set(as('admin')).expect(200);
      expect(detail.body.reviewClock.businessDaysWaiting).toBe(0);
      expect(detail.body.overdue).toBe(false);
    });

    it('approves: mints a client_id, emails instructions for obtaining tokens, publishes the client', async () => {
      const { body } = await admin('approve', 'Privacy policy and attestations reviewed.').expect(200);
      expect(body.status).toBe('approved');
      expect(body.clientId).toMatch(/^[A-Za-z0-9]{20}$/);
      clientId = body.clientId;
      await recorder.start();

      const mail = await smtp.waitFor((each) => each.subject === 'Approved: Lifecycle App', 'approval');
      expect(mail.to).toEqual(['lifecycle@acme-health.example']);
      expect(mail.from).toBe('api-access@plan.example');
      expect(mail.text).toContain(`/v1/registrations/${id}/credentials`);
      expect(mail.text).toContain(clientId);
      expect(mail.text).toContain('PKCE');
      expect(mail.text).toContain('/fhir/sb/R4/patientaccess');
    });

    it('hands the secret over once: first read only, stored as a keyed SHA-256 hash', async () => {
      const first = await request(http).get(`/v1/registrations/${id}/credentials`).set(as('dev')).expect(200);
      expect(first.body).toMatchObject({ clientId, clientType: 'confidential', clientSecret: expect.stringMatching(/^[\w-]{43}$/) });
      firstSecret = first.body.clientSecret;
      expect(first.headers['cache-control']).toBe('no-store');
      const again = await request(http).get(`/v1/registrations/${id}/credentials`).set(as('dev')).expect(200);
      expect(again.body.clientSecret).toBeUndefined();
      expect(again.body.clientId).toBe(clientId);
      const [row] = await app.get(DataSource).query(`SELECT secret_hash FROM registration WHERE id = $1`, [id]);
      expect(row.secret_hash).toMatch(/^\$hmac-sha256\$[\w-]{43}$/);
      expect(row.secret_hash).not.toContain(firstSecret);
      expect(app.get(SecretSealer).matchesSecret(row.secret_hash, firstSecret)).toBe(true);
    });

    it('rotates the secret: a new one, shown once, the old hash replaced', async () => {
      const { body } = await request(http).post(`/v1/registrations/${id}/credentials/rotate`).set(as('dev')).expect(200);
      rotatedSecret = body.clientSecret;
      expect(rotatedSecret).toMatch(/^[\w-]{43}$/);
      expect(rotatedSecret).not.toBe(firstSecret);
      const [row] = await app.get(DataSource).query(`SELECT secret_hash FROM registration WHERE id = $1`, [id]);
      expect(app.get(SecretSealer).matchesSecret(row.secret_hash, rotatedSecret)).toBe(true);
      expect(app.get(SecretSealer).matchesSecret(row.secret_hash, firstSecret)).toBe(false);
    });

    it('suspends (mail), reinstates, terminates (mail); reinstating a terminated one is 409', async () => {
      expect((await admin('approve', 'again').expect(409)).body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: 'The registration is already approved.',
        code: 'transition_not_allowed',
      });
      await admin('reinstate', 'nothing to reinstate').expect(409);
      expect((await admin('suspend', 'Tokens seen in a public repository.').expect(200)).body.status).toBe('suspended');
      await smtp.waitFor((each) => each.subject === 'Suspended: Lifecycle App' && each.text.includes('Tokens seen in a public repository.'), 'suspension');
      await request(http).get(`/v1/registrations/${id}/credentials`).set(as('dev')).expect(409);
      const own = (await request(http).get(`/v1/registrations/${id}`).set(as('dev')).expect(200)).body;
      expect(own.history.at(-1)).toEqual({ at: expect.any(String), action: 'suspend', from: 'approved', to: 'suspended', reason: 'Tokens seen in a public repository.', byRole: 'admin' });
      expect(JSON.stringify(own.history)).not.toContain(ADMIN.email);
      expect((await admin('reinstate', 'Secret rotated, repository cleaned.').expect(200)).body.status).toBe('approved');
      expect((await admin('terminate', 'Repeated leaks.').expect(200)).body.status).toBe('terminated');
      await smtp.waitFor((each) => each.subject === 'Terminated: Lifecycle App', 'termination');

      const refused = await admin('reinstate', 'Please?').expect(409);
      expect(refused.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: 'A terminated registration cannot be reinstated; the owner must register again.',
        code: 'transition_not_allowed',
      });
      await admin('approve', 'Please?').expect(409);
      await admin('request-information', 'Anything?').expect(409);
      await request(http).patch(`/v1/registrations/${id}`).set(as('dev')).send({ name: 'Reborn' }).expect(409);
    });

    it('requires a reason for every action (400)', async () => {
      const { body } = await request(http).post(`/v1/admin/registrations/${id}/suspend`).set(as('admin')).send({}).expect(400);
      expect(body.message).toEqual(expect.arrayContaining(['reason must be a string']));
    });

    it('lets the owner ask for a review of the termination, which stays terminated', async () => {
      const { body } = await request(http).post(`/v1/registrations/${id}/review-requests`).set(as('dev')).send({ message: 'We fixed it.' }).expect(201);
      expect(body).toMatchObject({ registrationId: id, status: 'terminated' });
      expect(body.note).toContain('register again');
      await smtp.waitFor((each) => each.to.includes(ADMIN.email) && each.subject.startsWith('Review requested'), 'review request to staff');
      const pending = await request(http).get('/v1/registrations').set(as('dev')).expect(200);
      const other = pending.body.find((each: { status: string }) => each.status === 'pending');
      await request(http).post(`/v1/registrations/${other.id}/review-requests`).set(as('dev')).send({ message: 'Hurry' }).expect(409);
      const queue = await request(http).get('/v1/admin/registrations?status=terminated').set(as('admin')).expect(200);
      expect(queue.body.find((item: { id: string }) => item.id === id).reviewRequestedAt).toEqual(expect.any(String));
    });

    it('keeps the full history: who, when, from, to, why', async () => {
      const { body } = await request(http).get(`/v1/admin/registrations/${id}`).set(as('admin')).expect(200);
      expect(body.owner.email).toBe('dev@acme-health.example');
      expect(body.allowedActions).toEqual([]);
      expect(body.history.map((entry: { action: string; from: string | null; to: string }) => [entry.action, entry.from, entry.to])).toEqual([
        ['submitted', null, 'pending'],
        ['request_information', 'pending', 'pending'],
        ['updated', 'pending', 'pending'],
        ['approve', 'pending', 'approved'],
        ['secret_issued', 'approved', 'approved'],
        ['secret_rotated', 'approved', 'approved'],
        ['suspend', 'approved', 'suspended'],
        ['reinstate', 'suspended', 'approved'],
        ['terminate', 'approved', 'terminated'],
        ['review_requested', 'terminated', 'terminated'],
      ]);
      const suspension = body.history[6];
      expect(suspension).toMatchObject({ reason: 'Tokens seen in a public repository.', by: { role: 'admin', email: ADMIN.email, id: expect.any(String) } });
      expect(Date.parse(suspension.at)).not.toBeNaN();
      expect(body.history[0].by).toMatchObject({ role: 'owner', email: 'dev@acme-health.example' });
    });

    it('published every change once, in order, keyed by client_id, with the full snapshot', async () => {
      await recorder.waitFor(() => recorder.forKey(clientId).length >= 6, 'six events');
      const events = recorder.forKey(clientId).map((message) => {
        const parsed = parseClientChangedEvent(message.value);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.rejection));
        return parsed.event;
      });
      expect(events.map((event) => [event.clientVersion, event.previousStatus, event.status, event.change.action ?? event.change.reason])).toEqual([
        [1, null, 'approved', 'approve'],
        [2, 'approved', 'approved', 'client secret issued'],
        [3, 'approved', 'approved', 'client secret rotated'],
        [4, 'approved', 'suspended', 'suspend'],
        [5, 'suspended', 'approved', 'reinstate'],
        [6, 'approved', 'terminated', 'terminate'],
      ]);
      expect(new Set(events.map((event) => event.eventId)).size).toBe(6);
      // Every event from the suspension on names its instant: credentials issued before it stay void.
      expect(events.slice(0, 3).map((event) => event.notBefore)).toEqual([undefined, undefined, undefined]);
      const suspendedAt = events[3].notBefore as string;
      expect(Math.abs(Date.parse(suspendedAt) - Date.parse(events[3].occurredAt))).toBeLessThan(5_000);
      expect(events[4].notBefore).toBe(suspendedAt);
      expect(Date.parse(events[5].notBefore as string)).toBeGreaterThan(Date.parse(suspendedAt));
      expect(new Set(recorder.forKey(clientId).map((message) => message.partition)).size).toBe(1);
      const [approved, issued, rotated, suspended] = events;
      expect(approved).toMatchObject({
        type: 'registration.client.changed',
        version: 1,
        clientId,
        registrationId: id,
        kind: 'application',
        change: { action: 'approve', reason: 'Privacy policy and attestations reviewed.', actor: { role: 'admin' } },
        client: {
          name: 'Lifecycle App',
          clientType: 'confidential',
          redirectUris: ['https://acme-health.example/oauth/callback'],
          sealedSecretHash: null,
          system: false,
          companyName: 'Acme Health Apps, Inc.',
          policyUri: 'https://acme-health.example/privacy/sales',
          tosUri: 'https://acme-health.example/terms',
          logoUri: 'https://acme-health.example/logo.png',
        },
      });
      expect(approved.client.allowedScopes).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'patient/*.read']));
      // The hash travels sealed for the authorization service: a reader of the topic has nothing to test guesses against.
      const sealer = app.get(SecretSealer);
      expect(sealer.matchesSecret((await sealer.unseal(clientId, issued.client.sealedSecretHash as string)) as string, firstSecret)).toBe(true);
      expect(sealer.matchesSecret((await sealer.unseal(clientId, rotated.client.sealedSecretHash as string)) as string, rotatedSecret)).toBe(true);
      const onTopic = JSON.stringify(recorder.forKey(clientId).map((message) => message.value));
      expect(onTopic).not.toContain('$hmac-sha256');
      expect(await sealer.unseal('another-client', issued.client.sealedSecretHash as string)).toBeUndefined();
      // Every event is signed by registration's key, which consumers verify.
      const keys = await EventKeyRing.fromJwks([(await sandboxEventSigner('registration')).publicJwk]);
      for (const message of recorder.forKey(clientId)) {
        expect(await keys.verify(CLIENT_CHANGED_TOPIC, clientId, message.value, message.headers[EVENT_SIGNATURE_HEADER])).toMatchObject({ ok: true });
      }
      expect(suspended.change).toMatchObject({ action: 'suspend', reason: 'Tokens seen in a public repository.' });

      const [{ unsent }] = await app.get(DataSource).query(`SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL`);
      expect(unsent).toBe(0);
    });

    it('holds a redirect URI change of an approved client for staff: published only once approved; a payer is a system client', async () => {
      const { body: payer } = await request(http).get('/v1/registrations').set(as('payer')).expect(200);
      const payerId = payer[0].id as string;
      const approved = await request(http).post(`/v1/admin/registrations/${payerId}/approve`).set(as('admin')).send({ reason: 'ok' }).expect(200);
      const payerClientId = approved.body.clientId as string;
      await smtp.waitFor((each) => each.subject === 'Approved: Carolina Mutual Health Plan' && each.to.includes('payer-documents@carolina-mutual.example'), 'payer approval to the document email');
      await recorder.waitFor(() => recorder.forKey(payerClientId).length >= 1, 'the approval event');
      const original = ['https://carolina-mutual.example/oauth/callback'];
      const wanted = ['https://carolina-mutual.example/oauth/callback', 'https://attacker.example/cb2'];

      const { body: held } = await request(http).patch(`/v1/registrations/${payerId}`).set(as('payer')).send({ redirectUris: wanted }).expect(200);
      expect(held.redirectUris).toEqual(original);
      expect(held.pendingChange).toMatchObject({ id: expect.any(String), values: { redirectUris: wanted } });
      await smtp.waitFor((each) => each.to.includes(ADMIN.email) && each.subject === 'Change to review: Carolina Mutual Health Plan (approved)', 'change notice to staff');
      // Nothing reached the outbox, so nothing can reach Kafka or the authorization server.
      const outboxRows = async () => (await app.get(DataSource).query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`, [payerClientId]))[0].n as number;
      expect(await outboxRows()).toBe(1);
      expect(recorder.forKey(payerClientId)).toHaveLength(1);

      const { body: staffView } = await request(http).get(`/v1/admin/registrations/${payerId}`).set(as('admin')).expect(200);
      expect(staffView.allowedActions).toEqual(expect.arrayContaining(['approve-change', 'reject-change']));
      expect(staffView.history.at(-1)).toMatchObject({ action: 'change_requested', reason: 'asked to change redirectUris', by: { role: 'owner' } });
      const { body: queue } = await request(http).get('/v1/admin/registrations?changePending=true').set(as('admin')).expect(200);
      expect(queue.map((item: { id: string }) => item.id)).toEqual([payerId]);
      expect(queue[0].changeRequestedAt).toBe(held.pendingChange.requestedAt);

      // The owner edits the change while staff look at it: staff's approval names what they saw.
      const { body: edited } = await request(http)
        .patch(`/v1/registrations/${payerId}`)
        .set(as('payer'))
        .send({ redirectUris: ['https://carolina-mutual.example/oauth/callback', 'https://carolina-mutual.example/cb2'] })
        .expect(200);
      expect(edited.pendingChange.id).not.toBe(held.pendingChange.id);
      const stale = await request(http)
        .post(`/v1/admin/registrations/${payerId}/approve-change`)
        .set(as('admin'))
        .send({ reason: 'Looked fine', changeId: held.pendingChange.id })
        .expect(409);
      expect(stale.body.message).toBe('The owner has modified the change since it was shown; review it again.');
      await request(http).post(`/v1/admin/registrations/${payerId}/approve-change`).set(as('admin')).send({ reason: 'no id' }).expect(400);
      await request(http).post(`/v1/admin/registrations/${payerId}/approve-change`).set(as('dev')).send({ reason: 'x', changeId: edited.pendingChange.id }).expect(403);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(recorder.forKey(payerClientId)).toHaveLength(1);

      const { body: decided } = await request(http)
        .post(`/v1/admin/registrations/${payerId}/approve-change`)
        .set(as('admin'))
        .send({ reason: 'Second callback verified with the payer by phone.', changeId: edited.pendingChange.id })
        .expect(200);
      expect(decided.redirectUris).toEqual(edited.pendingChange.values.redirectUris);
      expect(decided.pendingChange).toBeNull();
      expect(decided.history.at(-1)).toMatchObject({ action: 'change_approved', reason: 'redirectUris: Second callback verified with the payer by phone.', by: { role: 'admin' } });
      await recorder.waitFor(() => recorder.forKey(payerClientId).length >= 2, 'payer events');
      const [first, second] = recorder.forKey(payerClientId).map((message) => message.value as { clientVersion: number; kind: string; client: { system: boolean; redirectUris: string[] } });
      expect(first).toMatchObject({ clientVersion: 1, kind: 'payer', client: { system: true, redirectUris: original } });
      expect(second.clientVersion).toBe(2);
      expect(second.client.redirectUris).toEqual(['https://carolina-mutual.example/oauth/callback', 'https://carolina-mutual.example/cb2']);
      await smtp.waitFor((each) => each.subject === 'Change approved: Carolina Mutual Health Plan' && each.to.includes('interop@carolina-mutual.example'), 'decision to the contact');
      await request(http).post(`/v1/admin/registrations/${payerId}/approve-change`).set(as('admin')).send({ reason: 'again', changeId: edited.pendingChange.id }).expect(409);
    });

    it('applies contact changes of an approved client at once but holds its name; a rejected change leaves the client as it was', async () => {
      const { body: payer } = await request(http).get('/v1/registrations').set(as('payer')).expect(200);
      const payerId = payer[0].id as string;
      const clientId = payer[0].clientId as string;
      const before = recorder.forKey(clientId).length;
      const { body } = await request(http)
        .patch(`/v1/registrations/${payerId}`)
        .set(as('payer'))
        .send({ name: 'Totally Legit Plan', privacyPolicyUrl: 'https://attacker.example/privacy', contactPhone: '+1 704-555-0199' })
        .expect(200);
      expect(body).toMatchObject({ name: 'Carolina Mutual Health Plan', contactPhone: '+1 704-555-0199', privacyPolicyUrl: 'https://carolina-mutual.example/privacy' });
      // A payer's company name is its name.
      expect(body.pendingChange.values).toEqual({ name: 'Totally Legit Plan', companyName: 'Totally Legit Plan', privacyPolicyUrl: 'https://attacker.example/privacy' });
      // The direct change is published with the identity in force.
      await recorder.waitFor(() => recorder.forKey(clientId).length >= before + 1, 'the contact change event');
      const published = recorder.forKey(clientId).at(-1)?.value as { client: { name: string; policyUri: string } };
      expect(published.client).toMatchObject({ name: 'Carolina Mutual Health Plan', policyUri: 'https://carolina-mutual.example/privacy' });

      // Sending the value in force withdraws that part of the change.
      const { body: narrowed } = await request(http).patch(`/v1/registrations/${payerId}`).set(as('payer')).send({ privacyPolicyUrl: 'https://carolina-mutual.example/privacy' }).expect(200);
      expect(narrowed.pendingChange.values).toEqual({ name: 'Totally Legit Plan', companyName: 'Totally Legit Plan' });
      const { body: rejected } = await request(http)
        .post(`/v1/admin/registrations/${payerId}/reject-change`)
        .set(as('admin'))
        .send({ reason: 'The name must match the plan’s legal name.', changeId: narrowed.pendingChange.id })
        .expect(200);
      expect(rejected).toMatchObject({ name: 'Carolina Mutual Health Plan', pendingChange: null });
      expect(rejected.history.at(-1)).toMatchObject({ action: 'change_rejected', reason: 'name, companyName: The name must match the plan’s legal name.' });
      expect(rejected.allowedActions).not.toContain('approve-change');
      await smtp.waitFor((each) => each.subject === 'Change not approved: Carolina Mutual Health Plan' && each.text.includes('legal name'), 'rejection to the contact');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(recorder.forKey(clientId)).toHaveLength(before + 1);
      await request(http).post(`/v1/admin/registrations/${payerId}/reject-change`).set(as('admin')).send({ reason: 'x', changeId: narrowed.pendingChange.id }).expect(409);
    });

    it('gives a public (native) client a client_id and no secret, and publishes it without one', async () => {
      const { body: mine } = await request(http).get('/v1/registrations').set(as('dev')).expect(200);
      const native = mine.find((each: { clientType: string }) => each.clientType === 'public');
      const { body } = await request(http).post(`/v1/admin/registrations/${native.id}/approve`).set(as('admin')).send({ reason: 'ok' }).expect(200);
      const { body: credentials } = await request(http).get(`/v1/registrations/${native.id}/credentials`).set(as('dev')).expect(200);
      expect(credentials).toMatchObject({ clientId: body.clientId, clientType: 'public', secretIssuedAt: null, tokenEndpointAuthMethods: ['none'] });
      expect(credentials.clientSecret).toBeUndefined();
      await request(http).post(`/v1/registrations/${native.id}/credentials/rotate`).set(as('dev')).expect(409);
      const changed = await request(http).patch(`/v1/registrations/${native.id}`).set(as('dev')).send({ clientType: 'confidential' }).expect(409);
      expect(changed.body.message).toBe('The client type cannot change once credentials have been issued; register a new application instead.');
      await recorder.waitFor(() => recorder.forKey(body.clientId).length >= 1, 'the public client event');
      expect(recorder.forKey(body.clientId)).toHaveLength(1);
      expect(recorder.forKey(body.clientId)[0].value).toMatchObject({
        status: 'approved',
        client: { clientType: 'public', sealedSecretHash: null, redirectUris: ['com.acme.health:/callback', 'http://127.0.0.1:8765/callback'] },
      });
    });

    it('carries the data-access type the owner picked; changing it once approved waits for staff', async () => {
      for (const dataAccessType of ['forever', 13, null, ['research'], 'research\u0000', 'RESEARCH']) {
        const refused = await request(http).post('/v1/applications').set(as('dev')).send(applicationBody({ name: 'Bad Type App', dataAccessType })).expect(400);
        // A NUL byte is refused at the edge, before the field rules.
        expect(JSON.stringify(refused.body.message)).toMatch(/dataAccessType must be one of the following values: one_time, thirteen_month, research|NUL character/);
      }
      const { body: created } = await request(http)
        .post('/v1/applications')
        .set(as('dev'))
        .send(applicationBody({ name: 'One Time App', dataAccessType: 'one_time' }))
        .expect(201);
      const { body: staffBefore } = await request(http).get(`/v1/admin/registrations/${created.id}`).set(as('admin')).expect(200);
      expect(staffBefore.dataAccessType).toBe('one_time');
      const { body: approved } = await request(http).post(`/v1/admin/registrations/${created.id}/approve`).set(as('admin')).send({ reason: 'ok' }).expect(200);
      const clientId = approved.clientId as string;
      await recorder.waitFor(() => recorder.forKey(clientId).length >= 1, 'the approval event');
      expect(recorder.forKey(clientId)[0].value).toMatchObject({ client: { dataAccessType: 'one_time' } });

      const { body: held } = await request(http).patch(`/v1/registrations/${created.id}`).set(as('dev')).send({ dataAccessType: 'research' }).expect(200);
      expect(held.dataAccessType).toBe('one_time');
      expect(held.pendingChange).toMatchObject({ values: { dataAccessType: 'research' } });
      const { body: staffView } = await request(http).get(`/v1/admin/registrations/${created.id}`).set(as('admin')).expect(200);
      expect(staffView).toMatchObject({ dataAccessType: 'one_time', pendingChange: { values: { dataAccessType: 'research' } } });
      expect(staffView.history.at(-1)).toMatchObject({ action: 'change_requested', reason: 'asked to change dataAccessType' });
      // Nothing reaches the authorization server before staff decide.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(recorder.forKey(clientId)).toHaveLength(1);

      const { body: decided } = await request(http)
        .post(`/v1/admin/registrations/${created.id}/approve-change`)
        .set(as('admin'))
        .send({ reason: 'Research protocol on file.', changeId: held.pendingChange.id })
        .expect(200);
      expect(decided).toMatchObject({ dataAccessType: 'research', pendingChange: null });
      await recorder.waitFor(() => recorder.forKey(clientId).length >= 2, 'the approved change');
      expect(recorder.forKey(clientId)[1].value).toMatchObject({ clientVersion: 2, client: { dataAccessType: 'research' } });

      // A payer has no member grants to time: the field is refused on payer registrations.
      const { body: payers } = await request(http).get('/v1/registrations').set(as('payer')).expect(200);
      const payerPatch = await request(http).patch(`/v1/registrations/${payers[0].id}`).set(as('payer')).send({ dataAccessType: 'research' }).expect(400);
      expect(JSON.stringify(payerPatch.body.message)).toContain('dataAccessType applies to application registrations only');
    });

    it('created the topic compacted', async () => {
      const admin = new Kafka({ clientId: 'registration-e2e-admin', brokers: brokers.split(','), sasl: kafkajsSasl(credentials.admin), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: CLIENT_CHANGED_TOPIC, configNames: ['cleanup.policy'] }] });
        expect(resources[0].configEntries[0].configValue).toBe('compact');
      } finally {
        await admin.disconnect();
      }
    });
  });

  describe('login rate limiting', () => {
    it('refuses an account after 5 failures, even with the right password, with Retry-After', async () => {
      await request(http).post('/v1/accounts').send(accountBody('target@acme-health.example', 'developer')).expect(201);
      await confirmEmail(app.get(DataSource), 'target@acme-health.example');
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await request(http).post('/v1/auth/login').send({ email: 'target@acme-health.example', password: `guess-${attempt}` }).expect(401);
      }
      const refused = await request(http).post('/v1/auth/login').send({ email: 'target@acme-health.example', password: PASSWORD }).expect(429);
      expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'too_many_attempts' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
      // Other accounts from the same address are not locked out by one account's failures.
      await request(http).post('/v1/auth/login').send({ email: 'other@elsewhere.example', password: PASSWORD }).expect(200);
    });

    it('refuses an address after 20 failures across accounts', async () => {
      const [{ failures }] = await app.get(DataSource).query(`SELECT max(failures)::int AS failures FROM login_failure WHERE subject LIKE 'address:%'`);
      for (let attempt = failures; attempt < 20; attempt += 1) {
        await request(http).post('/v1/auth/login').send({ email: `nobody-${attempt}@nowhere.example`, password: 'whatever-password' }).expect(401);
      }
      await request(http).post('/v1/auth/login').send({ email: 'dev@acme-health.example', password: PASSWORD }).expect(429);
    });
  });
});
