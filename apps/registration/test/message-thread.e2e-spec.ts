import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, SmtpCatcher, type TestDatabase } from '@payer-access/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { confirmEmail, staffLogin } from './support/accounts';
import { accountBody, applicationBody, payerBody } from './support/fixtures';

jest.setTimeout(30_000);

const ADMIN = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };
const PASSWORD = 'correct horse battery staple';
const PORTAL = 'https://portal.plan.example';

/**
 * The thread between a registration's owner and plan staff (mail both ways, through the outbox),
 * and the review queue's age filters, paging and CSV export.
 */
describe('registration message threads and the review queue tools', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let http: App;
  let smtp: SmtpCatcher;
  let dataSource: DataSource;
  const tokens: Record<'admin' | 'dev' | 'other' | 'payer', string> = { admin: '', dev: '', other: '', payer: '' };
  let appId = '';
  let payerId = '';

  const as = (who: keyof typeof tokens) => ({ Authorization: `Bearer ${tokens[who]}` });
  const login = async (email: string, password = PASSWORD) => (await request(http).post('/v1/auth/login').send({ email, password }).expect(200)).body.access_token as string;
  const outboxCount = async () => Number((await dataSource.query(`SELECT count(*)::int AS n FROM mail_outbox`))[0].n);
  const threadTotal = async (id: string) => (await request(http).get(`/v1/admin/registrations/${id}/messages`).set(as('admin')).expect(200)).body.total as number;

  beforeAll(async () => {
    smtp = new SmtpCatcher();
    const [created] = await Promise.all([createTestDatabase(), smtp.start()]);
    database = created;
    const config = loadConfig(RegistrationConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'sandbox',
      KAFKA_BROKERS: '',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      PORTAL_PUBLIC_URL: PORTAL,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'api-access@plan.example',
      SUBMIT_RATE_LIMIT: '1000',
    });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    http = app.getHttpServer();
    dataSource = app.get(DataSource);
    await request(http).post('/v1/accounts').send(accountBody('dev@acme-health.example', 'developer')).expect(201);
    await request(http).post('/v1/accounts').send(accountBody('other@elsewhere.example', 'developer')).expect(201);
    await request(http).post('/v1/accounts').send(accountBody('payer@carolina-mutual.example', 'payer')).expect(201);
    for (const email of ['dev@acme-health.example', 'other@elsewhere.example', 'payer@carolina-mutual.example']) await confirmEmail(dataSource, email);
    tokens.admin = await staffLogin(http, ADMIN.email, ADMIN.password);
    tokens.dev = await login('dev@acme-health.example');
    tokens.other = await login('other@elsewhere.example');
    tokens.payer = await login('payer@carolina-mutual.example');
    appId = (await request(http).post('/v1/applications').set(as('dev')).send(applicationBody({ name: 'Thread App' })).expect(201)).body.id;
    payerId = (await request(http).post('/v1/payers').set(as('payer')).send(payerBody({ name: '=HYPERLINK("https://evil.example","Carolina")' })).expect(201)).body.id;
  });

  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
    await database?.drop();
  });

  describe('the thread', () => {
    it('puts staff’s information request in the thread, mails it, and the owner’s reply answers it: staff are mailed and the clock starts again', async () => {
      await dataSource.query(`UPDATE registration SET review_clock_started_at = now() - interval '3 days', submitted_at = now() - interval '3 days' WHERE id = $1`, [appId]);
      await request(http).post(`/v1/admin/registrations/${appId}/request-information`).set(as('admin')).send({ reason: 'Which section of the privacy policy covers data sales?' }).expect(200);
      await smtp.waitFor((mail) => mail.subject === 'More information needed: Thread App', 'information request');

      const { body: thread } = await request(http).get(`/v1/registrations/${appId}/messages`).set(as('dev')).expect(200);
      expect(thread).toEqual({
        items: [{ id: expect.any(String), kind: 'information_request', authorRole: 'admin', authorEmail: null, body: 'Which section of the privacy policy covers data sales?', at: expect.any(String) }],
        olderCursor: null,
        total: 1,
      });
      const before = (await request(http).get(`/v1/registrations/${appId}`).set(as('dev')).expect(200)).body.reviewClock.startedAt;

      const reply = 'Section 4, “Data sales”: we sell no member data.\nThe policy links to it from the first page. 😀';
      const { body: posted } = await request(http).post(`/v1/registrations/${appId}/messages`).set(as('dev')).send({ body: reply }).expect(201);
      expect(posted).toMatchObject({ kind: 'message', authorRole: 'owner', authorEmail: null, body: reply });
      const mail = await smtp.waitFor((each) => each.subject === 'Message from the owner: Thread App', 'owner message to staff');
      expect(mail.to).toEqual([ADMIN.email]);
      expect(mail.text).toContain('we sell no member data');
      expect(mail.text).toContain(`${PORTAL}/admin/registrations/${appId}`);

      const after = (await request(http).get(`/v1/registrations/${appId}`).set(as('dev')).expect(200)).body.reviewClock;
      expect(Date.parse(after.startedAt)).toBeGreaterThan(Date.parse(before));
      expect(after.businessDaysWaiting).toBe(0);
      // Answered once: a second message does not move the clock again.
      await request(http).post(`/v1/registrations/${appId}/messages`).set(as('dev')).send({ body: 'One more detail.' }).expect(201);
      expect((await request(http).get(`/v1/registrations/${appId}`).set(as('dev')).expect(200)).body.reviewClock.startedAt).toBe(after.startedAt);
    });

    it('lets staff write to the contact in any status, and shows staff the authors’ emails', async () => {
      const { body } = await request(http).post(`/v1/admin/registrations/${appId}/messages`).set(as('admin')).send({ body: 'Thank you; approval follows this week.' }).expect(201);
      expect(body).toMatchObject({ kind: 'message', authorRole: 'admin', authorEmail: ADMIN.email });
      const mail = await smtp.waitFor((each) => each.subject === 'Message from plan staff: Thread App', 'staff message to owner');
      expect(mail.to).toEqual(['api-access@acme-health.example']);
      expect(mail.text).toContain(`${PORTAL}/registrations/${appId}`);

      const staffView = (await request(http).get(`/v1/admin/registrations/${appId}/messages`).set(as('admin')).expect(200)).body;
      expect(staffView.items.map((each: { authorRole: string; authorEmail: string | null }) => [each.authorRole, each.authorEmail])).toEqual([
        ['admin', ADMIN.email],
        ['owner', 'dev@acme-health.example'],
        ['owner', 'dev@acme-health.example'],
        ['admin', ADMIN.email],
      ]);
      const ownerView = (await request(http).get(`/v1/registrations/${appId}/messages`).set(as('dev')).expect(200)).body;
      expect(ownerView.items.every((each: { authorEmail: string | null }) => each.authorEmail === null)).toBe(true);
      expect(JSON.stringify(ownerView)).not.toContain(ADMIN.email);
    });

    it('hides another owner’s thread (404), and keeps owners off the staff routes and staff routes to staff', async () => {
      await request(http).get(`/v1/registrations/${appId}/messages`).set(as('other')).expect(404);
      await request(http).post(`/v1/registrations/${appId}/messages`).set(as('other')).send({ body: 'hello' }).expect(404);
      await request(http).get(`/v1/admin/registrations/${appId}/messages`).set(as('dev')).expect(403);
      await request(http).post(`/v1/admin/registrations/${appId}/messages`).set(as('dev')).send({ body: 'I am staff' }).expect(403);
      await request(http).get(`/v1/registrations/${appId}/messages`).expect(401);
      await request(http).get('/v1/registrations/00000000-0000-4000-8000-000000000000/messages').set(as('dev')).expect(404);
      await request(http).post('/v1/admin/registrations/00000000-0000-4000-8000-000000000000/messages').set(as('admin')).send({ body: 'x' }).expect(404);
      await request(http).get('/v1/registrations/not-a-uuid/messages').set(as('dev')).expect(404);
    });

    it.each<[string, unknown, RegExp]>([
      ['an empty body', { body: '' }, /body must not be blank/],
      ['a blank body', { body: ' \n\t ' }, /body must not be blank/],
      ['a body too long', { body: 'x'.repeat(5001) }, /body must be at most 5000 characters/],
      ['a bidirectional override', { body: 'pay \u202eecnalab\u202c now' }, /bidirectional override/],
      ['a zero-width space', { body: 'zero\u200bwidth' }, /invisible formatting/],
      ['a private-use character', { body: 'logo \ue000' }, /private-use/],
      ['a control character', { body: 'bell\u0007' }, /control characters/],
      ['a number', { body: 42 }, /body must be a string/],
      ['an array', { body: ['a'] }, /body must be a string/],
      ['an object', { body: { $gt: '' } }, /body must be a string/],
      ['null', { body: null }, /body must be a string/],
      ['no body at all', {}, /body must be a string/],
      ['an unknown field', { body: 'hello', kind: 'information_request' }, /property kind should not exist/],
    ])('refuses %s with a 400 naming the problem, and stores and mails nothing', async (_name, payload, problem) => {
      const [total, queued] = [await threadTotal(appId), await outboxCount()];
      for (const [route, who] of [[`/v1/registrations/${appId}/messages`, 'dev'], [`/v1/admin/registrations/${appId}/messages`, 'admin']] as const) {
        const response = await request(http).post(route).set(as(who)).send(payload as object).expect(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(JSON.stringify(response.body.message)).toMatch(problem);
      }
      expect([await threadTotal(appId), await outboxCount()]).toEqual([total, queued]);
    });

    it('refuses NUL bytes, lone surrogates and broken JSON with a 400, never a 500', async () => {
      const raw = (body: string) => request(http).post(`/v1/registrations/${appId}/messages`).set(as('dev')).set('content-type', 'application/json').send(body);
      for (const body of ['{"body":"a\\u0000b"}', '{"body":"lone \\ud800 surrogate"}', '{"body":"\\udfff"}', '{"body":', '{"body":"x"'.padEnd(120_000, ' ') + '}']) {
        const response = await raw(body);
        expect([400, 413]).toContain(response.status);
        expect(response.body.statusCode).toBe(response.status);
      }
      const lone = await raw('{"body":"lone \\ud800 surrogate"}');
      expect(JSON.stringify(lone.body.message)).toMatch(/surrogate/);
    });

    it('refuses unreadable reasons for a request for information too', async () => {
      const response = await request(http).post(`/v1/admin/registrations/${appId}/request-information`).set(as('admin')).send({ reason: '\u2066hidden\u2069' }).expect(400);
      expect(JSON.stringify(response.body.message)).toMatch(/reason must not contain bidirectional/);
    });

    it('pages the thread from the newest page back, oldest first within a page', async () => {
      for (let index = 1; index <= 23; index++) {
        await request(http).post(`/v1/admin/registrations/${payerId}/messages`).set(as('admin')).send({ body: `note ${index}` }).expect(201);
      }
      const first = (await request(http).get(`/v1/registrations/${payerId}/messages?limit=10`).set(as('payer')).expect(200)).body;
      expect(first.total).toBe(23);
      expect(first.items.map((each: { body: string }) => each.body)).toEqual(Array.from({ length: 10 }, (_, index) => `note ${index + 14}`));
      const second = (await request(http).get(`/v1/registrations/${payerId}/messages?limit=10&before=${first.olderCursor}`).set(as('payer')).expect(200)).body;
      expect(second.items.map((each: { body: string }) => each.body)).toEqual(Array.from({ length: 10 }, (_, index) => `note ${index + 4}`));
      const third = (await request(http).get(`/v1/registrations/${payerId}/messages?limit=10&before=${second.olderCursor}`).set(as('payer')).expect(200)).body;
      expect(third.items.map((each: { body: string }) => each.body)).toEqual(['note 1', 'note 2', 'note 3']);
      expect(third.olderCursor).toBeNull();
      const defaults = (await request(http).get(`/v1/registrations/${payerId}/messages`).set(as('payer')).expect(200)).body;
      expect(defaults.items).toHaveLength(20);

      for (const query of ['limit=0', 'limit=101', 'limit=ten', 'limit=-1', 'before=0', 'before=abc', 'before=99999999999999999999', 'before[]=1', 'limit=1&limit=2']) {
        const response = await request(http).get(`/v1/registrations/${payerId}/messages?${query}`).set(as('payer'));
        expect([query, response.status]).toEqual([query, 400]);
      }
    });
  });

  describe('the review queue tools', () => {
    it('filters by age in days and pages the queue, with the total in X-Total-Count', async () => {
      // appId was submitted three days ago (above); the payer, and the sandbox's demo clients, today.
      const older = await request(http).get('/v1/admin/registrations?minAgeDays=2').set(as('admin')).expect(200);
      expect(older.body.map((each: { id: string }) => each.id)).toContain(appId);
      expect(older.body.map((each: { id: string }) => each.id)).not.toContain(payerId);
      expect(older.body.find((each: { id: string }) => each.id === appId).ageDays).toBe(3);
      const recent = await request(http).get('/v1/admin/registrations?maxAgeDays=1').set(as('admin')).expect(200);
      expect(recent.body.map((each: { id: string }) => each.id)).toContain(payerId);
      expect(recent.body.map((each: { id: string }) => each.id)).not.toContain(appId);
      const band = await request(http).get('/v1/admin/registrations?minAgeDays=3&maxAgeDays=3&kind=application').set(as('admin')).expect(200);
      expect(band.body.map((each: { id: string }) => each.id)).toEqual([appId]);

      const all = await request(http).get('/v1/admin/registrations').set(as('admin')).expect(200);
      const total = Number(all.headers['x-total-count']);
      expect(total).toBe(all.body.length);
      expect(total).toBeGreaterThanOrEqual(3);
      const page1 = await request(http).get('/v1/admin/registrations?limit=2').set(as('admin')).expect(200);
      const page2 = await request(http).get('/v1/admin/registrations?limit=2&offset=2').set(as('admin')).expect(200);
      expect(page1.headers['x-total-count']).toBe(String(total));
      expect([...page1.body, ...page2.body].map((each: { id: string }) => each.id)).toEqual(all.body.slice(0, 4).map((each: { id: string }) => each.id));

      for (const query of ['minAgeDays=-1', 'maxAgeDays=x', 'limit=0', 'limit=501', 'offset=-3', 'offset=1.5', 'minAgeDays[]=1']) {
        expect([query, (await request(http).get(`/v1/admin/registrations?${query}`).set(as('admin'))).status]).toEqual([query, 400]);
      }
    });

    it('exports the filtered queue as CSV, formula cells escaped', async () => {
      const response = await request(http).get('/v1/admin/registrations/export.csv?kind=payer&status=pending').set(as('admin')).expect(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="review-queue-\d{4}-\d{2}-\d{2}\.csv"$/);
      const lines = response.text.split('\r\n');
      expect(lines[0]).toBe('id,kind,status,name,company,submitted_at,age_days,business_days_waiting,overdue,information_requested_at,review_requested_at,change_requested_at');
      expect(lines.filter(Boolean)).toHaveLength(2);
      expect(lines[1]).toContain(`${payerId},payer,pending,"'=HYPERLINK(""https://evil.example"",""Carolina"")"`);

      await request(http).get('/v1/admin/registrations/export.csv?limit=5').set(as('admin')).expect(400);
      await request(http).get('/v1/admin/registrations/export.csv').set(as('dev')).expect(403);
      await request(http).get('/v1/admin/registrations/export.csv').expect(401);
    });
  });
});
