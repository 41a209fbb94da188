import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, ensureKafka, kafkaServiceEnv, type TestDatabase } from '@payer-access/testing';
import request from 'supertest';
import { PRODUCTION_EVENT_KEYS } from './support/fixtures';
import { DataSource } from 'typeorm';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { confirmEmail } from './support/accounts';
import { accountBody, applicationBody } from './support/fixtures';

jest.setTimeout(60_000);

const ADMIN = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };
const PASSWORD = 'correct horse battery staple';

// Behind one trusted proxy, each request names its client address in X-Forwarded-For.
describe('registration portal under floods: rate limits and atomic login throttles', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;

  beforeAll(async () => {
    const kafka = await ensureKafka();
    const brokers = kafka.brokers.join(',');
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
      // Mail goes nowhere: these tests read no mail, and the outbox keeps retrying in the background.
      SMTP_URL: 'smtp://127.0.0.1:9',
      TRUST_PROXY_HOPS: '1',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
      STAFF_LOGIN_DELAY_SECONDS: '1',
      STAFF_LOGIN_MAX_DELAY_SECONDS: '2',
      SIGNUP_RATE_LIMIT: '3',
      LOGIN_RATE_LIMIT: '200',
      SUBMIT_RATE_LIMIT: '2',
    });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    http = app.getHttpServer();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const signUp = (address: string, email: string) => request(http).post('/v1/accounts').set('X-Forwarded-For', address).send(accountBody(email, 'developer'));
  const login = (address: string, email: string, password: string) =>
    request(http).post('/v1/auth/login').set('X-Forwarded-For', address).send({ email, password });
  const failures = async (email: string): Promise<number> => {
    const rows: { failures: number }[] = await app.get(DataSource).query(`SELECT failures FROM login_failure WHERE subject = $1`, [`account:${email}`]);
    return rows[0]?.failures ?? 0;
  };

  it('limits sign-ups per address with X-RateLimit-* headers, then 429 and Retry-After', async () => {
    const first = await signUp('198.51.100.1', 'first@acme-health.example').expect(201);
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    await signUp('198.51.100.1', 'second@acme-health.example').expect(201);
    // A refused body counts too: the limit is on requests, not on accounts created.
    await request(http).post('/v1/accounts').set('X-Forwarded-For', '198.51.100.1').send({ email: 42 }).expect(400);
    const refused = await signUp('198.51.100.1', 'third@acme-health.example').expect(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'too_many_attempts' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(500);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    await signUp('198.51.100.2', 'third@acme-health.example').expect(201);
  });

  it('limits registrations submitted per account, not per address', async () => {
    const token = async (email: string) => (await login('198.51.100.3', email, PASSWORD).expect(200)).body.access_token as string;
    for (const email of ['first@acme-health.example', 'second@acme-health.example']) await confirmEmail(app.get(DataSource), email);
    const first = await token('first@acme-health.example');
    const second = await token('second@acme-health.example');
    const submit = (bearer: string) =>
      request(http).post('/v1/applications').set('X-Forwarded-For', '198.51.100.3').set('Authorization', `Bearer ${bearer}`).send(applicationBody());
    await submit(first).expect(201);
    await submit(first).expect(201);
    expect(Number((await submit(first).expect(429)).headers['retry-after'])).toBeGreaterThan(0);
    await submit(second).expect(201);
    // Without a valid token the route answers 401 before any counting.
    await request(http).post('/v1/applications').send(applicationBody()).expect(401);
  });

  it('compares at most 5 of 50 wrong passwords sent at once for one account; the rest get 429 with Retry-After', async () => {
    await signUp('198.51.100.4', 'target@acme-health.example').expect(201);
    const responses = await Promise.all(Array.from({ length: 50 }, (_, index) => login(`192.0.2.${index + 1}`, 'target@acme-health.example', `guess-${index}`)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(45);
    for (const response of responses.filter((each) => each.status === 429)) expect(Number(response.headers['retry-after'])).toBeGreaterThan(800);
    expect(await failures('target@acme-health.example')).toBe(5);
    await login('192.0.2.200', 'target@acme-health.example', PASSWORD).expect(429);
  });

  it('slows a staff account under a flood instead of locking it: the right password passes after the growing wait', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, index) => login(`203.0.113.${index + 1}`, ADMIN.email, `guess-${index}`)));
    const statuses = responses.map((response) => response.status);
    const compared = statuses.filter((status) => status === 401).length;
    // The 5 failures allowed, and at most a few more that each waited out the staff delay (1 s, then 2 s).
    expect(compared).toBeGreaterThanOrEqual(5);
    expect(compared).toBeLessThanOrEqual(8);
    expect(statuses.filter((status) => status === 429)).toHaveLength(50 - compared);
    const waits = responses.filter((each) => each.status === 429).map((each) => Number(each.headers['retry-after']));
    expect(Math.max(...waits)).toBeLessThanOrEqual(2);
    // Refused at once, then let in once the wait is over.
    const early = await login('198.51.100.9', ADMIN.email, ADMIN.password);
    if (early.status === 429) await new Promise((resolve) => setTimeout(resolve, Number(early.headers['retry-after']) * 1000 + 100));
    else expect(early.status).toBe(200);
    const late = early.status === 200 ? early : await login('198.51.100.9', ADMIN.email, ADMIN.password);
    expect(late.status).toBe(200);
    // The password step is passed: staff then prove their second factor (account-security.e2e-spec.ts).
    expect(late.body).toMatchObject({ second_factor: 'enrolment_required', second_factor_token: expect.any(String) });
    expect(await failures(ADMIN.email)).toBe(0);
  });
});
