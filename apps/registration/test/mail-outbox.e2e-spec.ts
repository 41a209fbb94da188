import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus } from '@payer-access/events';
import { createTestDatabase, metricValue, type TestDatabase, SmtpCatcher } from '@payer-access/testing';
import { createServer } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MailOutsideTransactionError, MailService } from '../src/notifications/mail.service';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { confirmEmail, staffLogin } from './support/accounts';
import { accountBody, applicationBody, PRODUCTION_EVENT_KEYS } from './support/fixtures';
import { serviceMetrics } from '@payer-access/http';

jest.setTimeout(60_000);

const ADMIN = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };
const PASSWORD = 'correct horse battery staple';

interface MailRow {
  id: string;
  recipient: string;
  subject: string;
  attempts: number;
  sent_at: Date | null;
  last_error: string | null;
}

/**
 * The "nothing lost" of docs/product.md#cross-service-revocation, for notifications: mail is queued
 * in the change's transaction and sent by a relay that retries until the SMTP server accepts it,
 * across outages and restarts.
 */
describe('registration notifications survive SMTP outages and restarts (mail outbox)', () => {
  let database: TestDatabase;
  let smtpPort: number;
  const smtp = new SmtpCatcher();
  const apps: INestApplication[] = [];
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  const tokens = { admin: '', dev: '' };

  async function startInstance(): Promise<INestApplication> {
    const config = loadConfig(RegistrationConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'production',
      ...PRODUCTION_EVENT_KEYS,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      PORTAL_JWT_SECRET: 'mail-outbox-portal-secret-that-is-long-enough-01',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'api-access@plan.example',
      // Retries within a few hundred milliseconds, so that the test waits for no minute-long backoff.
      MAIL_RETRY_INITIAL_MS: '50',
      MAIL_RETRY_MAX_MS: '200',
    });
    const instance = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: new InProcessEventBus() });
    await instance.init();
    apps.push(instance);
    return instance;
  }

  const mailRows = async (subject: string): Promise<MailRow[]> =>
    app.get(DataSource).query(`SELECT id, recipient, subject, attempts, sent_at, last_error FROM mail_outbox WHERE subject = $1 ORDER BY id`, [subject]);
  const countRows = async (): Promise<number> => Number((await app.get(DataSource).query(`SELECT count(*) AS count FROM mail_outbox`))[0].count);
  const admin = (id: string, action: string, reason: string) =>
    request(http).post(`/v1/admin/registrations/${id}/${action}`).set('Authorization', `Bearer ${tokens.admin}`).send({ reason });

  async function submit(name: string): Promise<string> {
    const { body } = await request(http)
      .post('/v1/applications')
      .set('Authorization', `Bearer ${tokens.dev}`)
      .send(applicationBody({ name, contactEmail: 'lifecycle@acme-health.example' }))
      .expect(201);
    return body.id as string;
  }

  beforeAll(async () => {
    smtpPort = await freePort();
    database = await createTestDatabase();
    app = await startInstance();
    http = app.getHttpServer();
    await request(http).post('/v1/accounts').send(accountBody('dev@acme-health.example', 'developer')).expect(201);
    await confirmEmail(app.get(DataSource), 'dev@acme-health.example');
    // Set-up only: the address is confirmed above, so its verification mail (queued while no SMTP
    // server listens) is withdrawn, and each test counts the mail it causes.
    await app.get(DataSource).query(`DELETE FROM mail_outbox WHERE subject = 'Confirm your email address'`);
    tokens.dev = (await request(http).post('/v1/auth/login').send({ email: 'dev@acme-health.example', password: PASSWORD }).expect(200)).body.access_token;
    tokens.admin = await staffLogin(http, ADMIN.email, ADMIN.password);
  });

  afterAll(async () => {
    for (const each of apps) await each.close().catch(() => undefined);
    await smtp.stop();
    await database?.drop();
  });

  it('approves while nothing listens for SMTP (200, mail pending with its error), then delivers once the server is up', async () => {
    const id = await submit('Outage App');
    await admin(id, 'approve', 'All requirements met.').expect(200);
    const approvedAt = Date.now();

    // The relay tried at once (woken by the commit, not its 5 s poll), failed, and keeps the mail with its error.
    await waitUntil(async () => (await mailRows('Approved: Outage App'))[0]?.attempts >= 1, 'a first failed attempt');
    expect(Date.now() - approvedAt).toBeLessThan(1_000);
    const [pending] = await mailRows('Approved: Outage App');
    expect(pending).toMatchObject({ recipient: 'lifecycle@acme-health.example', sent_at: null, last_error: expect.stringMatching(/ECONNREFUSED/) });
    const metrics = (await request(serviceMetrics(app).handler()).get('/metrics').expect(200)).text;
    expect(metricValue(metrics, 'registration_mail_pending')).toBe(1);

    const started = Date.now();
    await smtp.start(smtpPort);
    const mail = await smtp.waitFor((each) => each.subject === 'Approved: Outage App', 'approval after the outage');
    const deliveredMs = Date.now() - started;
    expect(mail.to).toEqual(['lifecycle@acme-health.example']);
    expect(mail.text).toContain(`/v1/registrations/${id}/credentials`);
    expect(deliveredMs).toBeLessThan(2_000);

    await waitUntil(async () => (await mailRows('Approved: Outage App'))[0]?.sent_at !== null, 'the row to be marked sent');
    const [sent] = await mailRows('Approved: Outage App');
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(sent.last_error).toBeNull();
    // Several retry periods later, still exactly one.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(smtp.mails.filter((each) => each.subject === 'Approved: Outage App')).toHaveLength(1);
    expect(metricValue((await request(serviceMetrics(app).handler()).get('/metrics').expect(200)).text, 'registration_mail_pending')).toBe(0);
  });

  it('queues no mail for a change that fails: a refused transition (409) or a rolled-back transaction', async () => {
    const id = await submit('Refused App');
    const before = await countRows();
    await admin(id, 'reinstate', 'Nothing to reinstate.').expect(409);
    await admin(id, 'suspend', 'Not even approved.').expect(409);
    await request(http).post(`/v1/registrations/${id}/review-requests`).set('Authorization', `Bearer ${tokens.dev}`).send({ message: 'Pending, not suspended.' }).expect(409);

    const mail = app.get(MailService);
    await expect(
      app.get(DataSource).transaction(async (manager) => {
        await mail.queue(manager, { to: 'nobody@acme-health.example', subject: 'Rolled back', text: 'Never sent.' });
        throw new Error('the change fails after its mail was queued');
      }),
    ).rejects.toThrow('the change fails');
    await expect(mail.queue(app.get(DataSource).manager, { to: 'nobody@acme-health.example', subject: 'Outside', text: 'No transaction.' })).rejects.toThrow(
      MailOutsideTransactionError,
    );
    expect(await countRows()).toBe(before);
  });

  it('keeps mail queued by a stopped instance and sends it, once, from the instances that follow', async () => {
    const id = await submit('Restart App');
    await admin(id, 'approve', 'ok').expect(200);
    await smtp.waitFor((each) => each.subject === 'Approved: Restart App', 'approval');

    await smtp.stop();
    await admin(id, 'suspend', 'Tokens seen in a public repository.').expect(200);
    await request(http).post(`/v1/registrations/${id}/review-requests`).set('Authorization', `Bearer ${tokens.dev}`).send({ message: 'We rotated it.' }).expect(201);
    await waitUntil(async () => (await mailRows('Suspended: Restart App'))[0]?.attempts >= 1, 'a failed attempt of the suspension mail');
    const closing = apps.shift() as INestApplication;
    await closing.close();

    await smtp.start(smtpPort);
    // Two instances relaying one table: SKIP LOCKED lets each mail go out once.
    app = await startInstance();
    await startInstance();
    await smtp.waitFor((each) => each.subject === 'Suspended: Restart App', 'suspension after the restart');
    await smtp.waitFor((each) => each.to.includes(ADMIN.email) && each.subject === 'Review requested: Restart App (suspended)', 'review request after the restart');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(smtp.mails.filter((each) => each.subject === 'Suspended: Restart App')).toHaveLength(1);
    expect(smtp.mails.filter((each) => each.subject.startsWith('Review requested: Restart App'))).toHaveLength(1);
    expect(await app.get(MailService).countPending()).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
