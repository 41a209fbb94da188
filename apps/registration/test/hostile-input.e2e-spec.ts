import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { App } from 'supertest/types';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { confirmEmail, staffLogin } from './support/accounts';
import { accountBody, applicationBody, payerBody } from './support/fixtures';

const ADMIN = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };

/** Values of every JSON type and a few hostile strings, each put in place of one field. */
const WRONG_VALUES: readonly unknown[] = [
  null,
  0,
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER * 1e12,
  true,
  [],
  ['a', 'b'],
  [[['deep']]],
  {},
  { $gt: '' },
  { toString: 'x' },
  '',
  ' ',
  'x'.repeat(20_000),
  '\u202e\ufeff\u200b',
  '😀'.repeat(300),
  'Ω≈ç√∫',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
];

/** Malformed requests get a 4xx in the service's `{ statusCode, error, message }` shape, never a 500. */
describe('registration service under hostile input', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let http: App;
  const tokens: Record<'admin' | 'dev' | 'payer', string> = { admin: '', dev: '', payer: '' };
  let registrationId = '';

  const as = (who: keyof typeof tokens) => ({ Authorization: `Bearer ${tokens[who]}` });

  function expectRefusal(response: request.Response, status: number): void {
    expect([response.status, response.body.statusCode, typeof response.body.error]).toEqual([status, status, 'string']);
    expect(response.text).not.toMatch(/\n\s+at |QueryFailedError|invalid byte sequence|syntax error/);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, {
      // Thousands of malformed requests from one address: the rate limits are not what is under test.
      SIGNUP_RATE_LIMIT: '100000',
      LOGIN_RATE_LIMIT: '100000',
      SUBMIT_RATE_LIMIT: '100000',
      DATABASE_URL: database.url, PROFILE: 'sandbox', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
    http = app.getHttpServer();
    await request(http).post('/v1/accounts').send(accountBody('dev@acme-health.example', 'developer')).expect(201);
    await confirmEmail(app.get(DataSource), 'dev@acme-health.example');
    tokens.dev = (await request(http).post('/v1/auth/login').send({ email: 'dev@acme-health.example', password: 'correct horse battery staple' }).expect(200)).body.access_token;
    await request(http).post('/v1/accounts').send(accountBody('payer@carolina-mutual.example', 'payer')).expect(201);
    await confirmEmail(app.get(DataSource), 'payer@carolina-mutual.example');
    tokens.payer = (await request(http).post('/v1/auth/login').send({ email: 'payer@carolina-mutual.example', password: 'correct horse battery staple' }).expect(200)).body.access_token;
    tokens.admin = await staffLogin(http, ADMIN.email, ADMIN.password);
    registrationId = (await request(http).post('/v1/applications').set(as('dev')).send(applicationBody()).expect(201)).body.id;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  describe('a NUL byte in any text field', () => {
    const withNul = (body: Record<string, unknown>, field: string) => ({ ...body, [field]: `a\u0000b` });

    it.each(Object.keys(accountBody('x@example.com', 'developer')))('sign-up field %s: 400', async (field) => {
      expectRefusal(await request(http).post('/v1/accounts').send(withNul(accountBody('nul@acme-health.example', 'developer'), field)), 400);
    });

    it.each(['email', 'password'])('login field %s: 400', async (field) => {
      expectRefusal(await request(http).post('/v1/auth/login').send(withNul({ email: 'dev@acme-health.example', password: 'x' }, field)), 400);
    });

    it.each(Object.keys(applicationBody()).filter((field) => field !== 'attestations'))('application field %s: 400', async (field) => {
      expectRefusal(await request(http).post('/v1/applications').set(as('dev')).send(withNul(applicationBody(), field)), 400);
      expectRefusal(await request(http).patch(`/v1/registrations/${registrationId}`).set(as('dev')).send({ [field]: 'a\u0000b' }), 400);
    });

    it('a redirect URI, a review reason, a key: 400', async () => {
      expectRefusal(await request(http).post('/v1/applications').set(as('dev')).send(applicationBody({ redirectUris: ['https://a.example/cb\u0000'] })), 400);
      expectRefusal(await request(http).post(`/v1/admin/registrations/${registrationId}/request-information`).set(as('admin')).send({ reason: 'why\u0000' }), 400);
      expectRefusal(await request(http).post('/v1/payers').set(as('dev')).send({ ...payerBody(), 'x\u0000': 1 }), 400);
    });
  });

  it('refuses a body over the size limit with 413', async () => {
    expectRefusal(await request(http).post('/v1/applications').set(as('dev')).send(applicationBody({ name: 'x'.repeat(300 * 1024) })), 413);
    expectRefusal(await request(http).post('/v1/accounts').type('form').send(`name=${'x'.repeat(300 * 1024)}`), 413);
  });

  it('refuses JSON nested 20,000 deep with 400', async () => {
    const deep = `{"name":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expectRefusal(await request(http).post('/v1/applications').set(as('dev')).set('content-type', 'application/json').send(deep), 400);
    expectRefusal(await request(http).post('/v1/accounts').set('content-type', 'application/json').send(deep), 400);
  });

  it.each([
    ['an unknown Content-Encoding', 'x-snappy', '{"email":"a@b.c"}', 415],
    ['a gzip body that is not gzip', 'gzip', '{"email":"a@b.c"}', 400],
    ['a deflate body that is not deflate', 'deflate', 'garbage', 400],
    ['two encodings', 'gzip, br', '{}', 415],
  ])('refuses %s', async (_what, encoding, body, status) => {
    const response = await request(http).post('/v1/auth/login').set('content-type', 'application/json').set('content-encoding', encoding).send(body);
    expectRefusal(response, status);
  });

  it.each([
    '/v1/registrations/%FF',
    '/v1/registrations/%C3%28/credentials',
    '/v1/admin/registrations?status=%ED%A0%80',
    '/v1/admin/registrations?%FF=1',
    '/v1/registrations?x=%00',
  ])('refuses invalid UTF-8 or NUL in the path or query with 400: %s', async (path) => {
    expectRefusal(await request(http).get(path).set(as('admin')), 400);
  });

  it('refuses invalid UTF-8 in a body with 400, raw or percent-encoded', async () => {
    const raw = Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('@b.c","password":"x"}')]);
    expectRefusal(await request(http).post('/v1/auth/login').set('content-type', 'application/json').send(raw), 400);
    expectRefusal(await request(http).post('/v1/auth/login').type('form').send('email=%E0%80&password=x'), 400);
    expectRefusal(await request(http).post('/v1/auth/login').set('content-type', 'application/json').send('{"email":"\\udc00@b.c","password":"x"}'), 400);
  });

  describe('a value of the wrong JSON type in any field', () => {
    const cases: Array<[string, string, () => Record<string, unknown>, keyof typeof tokens | undefined]> = [
      ['POST', '/v1/accounts', () => accountBody('types@acme-health.example', 'developer'), undefined],
      ['POST', '/v1/auth/login', () => ({ email: 'dev@acme-health.example', password: 'x' }), undefined],
      ['POST', '/v1/applications', () => applicationBody(), 'dev'],
      ['POST', '/v1/payers', () => payerBody(), 'payer'],
      ['PATCH', '/v1/registrations/:id', () => ({ name: 'Renamed' }), 'dev'],
      ['POST', '/v1/registrations/:id/review-requests', () => ({ message: 'please review' }), 'dev'],
      ['POST', '/v1/admin/registrations/:id/request-information', () => ({ reason: 'more please' }), 'admin'],
      ['POST', '/v1/registrations/:id/messages', () => ({ body: 'a reply' }), 'dev'],
      ['POST', '/v1/admin/registrations/:id/messages', () => ({ body: 'a note' }), 'admin'],
      ['POST', '/v1/accounts/verify-email', () => ({ token: 'A'.repeat(43) }), undefined],
      ['POST', '/v1/auth/second-factor', () => ({ second_factor_token: 'x.y.z', code: '123456' }), undefined],
      ['POST', '/v1/auth/second-factor/enrolment', () => ({ second_factor_token: 'x.y.z' }), undefined],
      ['POST', '/v1/auth/second-factor/enrolment/confirm', () => ({ second_factor_token: 'x.y.z', code: '123456' }), undefined],
      ['POST', '/v1/accounts/me/second-factor/confirm', () => ({ code: '123456' }), 'dev'],
    ];

    it.each(cases)('%s %s: 4xx for every field and every wrong value', async (method, route, body, who) => {
      const path = route.replace(':id', registrationId);
      const fields = [...Object.keys(body()), 'attestations.storesTokensSecurely', 'unknownField'];
      for (const field of fields) {
        for (const value of WRONG_VALUES) {
          const sent = body();
          if (field.includes('.')) {
            const [outer, inner] = field.split('.');
            sent[outer] = { ...(sent[outer] as object), [inner]: value };
          } else sent[field] = value;
          const call = method === 'POST' ? request(http).post(path) : request(http).patch(path);
          const response = await (who ? call.set(as(who)) : call).send(sent);
          expect([field, value, response.status < 500]).toEqual([field, value, true]);
          if (response.status >= 400) expect(response.body).toEqual(expect.objectContaining({ statusCode: response.status, error: expect.any(String) }));
        }
      }
      for (const whole of ['[]', '"text"', '42', 'null', 'true', '[{}]']) {
        const call = method === 'POST' ? request(http).post(path) : request(http).patch(path);
        const response = await (who ? call.set(as(who)) : call).set('content-type', 'application/json').send(whole);
        expect([whole, response.status]).toEqual([whole, 400]);
      }
    });
  });

  it('answers duplicate, odd and huge query parameters with 4xx or a result', async () => {
    for (const query of [
      'status=pending&status=approved',
      'kind=application&kind=payer',
      'overdue=true&overdue=false',
      'overdue=maybe',
      'status[]=pending',
      `status=${'x'.repeat(8000)}`,
      'kind=%F0%9F%98%80',
    ]) {
      const response = await request(http).get(`/v1/admin/registrations?${query}`).set(as('admin'));
      expect([query, response.status < 500]).toEqual([query, true]);
    }
    for (const query of ['limit=1&limit=2', 'offset[]=1', 'minAgeDays=1e400', `maxAgeDays=${'9'.repeat(400)}`, 'before=1&before=2', `before=${'9'.repeat(30)}`]) {
      for (const path of ['/v1/admin/registrations', '/v1/admin/registrations/export.csv', `/v1/admin/registrations/${registrationId}/messages`]) {
        const response = await request(http).get(`${path}?${query}`).set(as('admin'));
        expect([path, query, response.status < 500]).toEqual([path, query, true]);
      }
    }
  });

  it('answers unknown methods and routes with 404', async () => {
    for (const method of ['PROPFIND', 'MKCOL', 'PURGE', 'TRACE'] as const) {
      const response = await request(http)[method.toLowerCase() as 'get'](`/v1/registrations/${registrationId}`);
      expect([method, response.status]).toEqual([method, 404]);
    }
    expectRefusal(await request(http).delete(`/v1/registrations/${registrationId}`).set(as('dev')), 404);
  });

  it('is still healthy after all of it', async () => {
    await request(http).get('/health/ready').expect(200);
  });
});
