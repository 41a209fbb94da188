import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus } from '@payer-access/events';
import { createTestDatabase, type TestDatabase, SmtpCatcher, freshTotpCode } from '@payer-access/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { currentCode } from '../src/auth/second-factor/totp';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { accountBody, applicationBody, PRODUCTION_EVENT_KEYS } from './support/fixtures';

jest.setTimeout(120_000);

const STAFF = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };
const PASSWORD = 'correct horse battery staple';
const PORTAL = 'https://portal.plan.example';

/** Email verification at sign-up and the second factor (TOTP, recovery codes), over real PostgreSQL and SMTP. */
describe('portal accounts: email verification and second factor', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  const smtp = new SmtpCatcher();

  const login = (email: string, password = PASSWORD) => request(http).post('/v1/auth/login').send({ email, password });
  const tokenOf = (mail: { text: string }) => /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  const rows = <T>(sql: string, parameters: unknown[] = []): Promise<T[]> => app.get(DataSource).query(sql, parameters);

  beforeAll(async () => {
    await smtp.start();
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, {
      DATABASE_URL: database.url,
      PROFILE: 'production',
      ...PRODUCTION_EVENT_KEYS,
      ADMIN_EMAIL: STAFF.email,
      ADMIN_PASSWORD: STAFF.password,
      PORTAL_JWT_SECRET: 'account-security-portal-secret-long-enough-0123',
      PORTAL_PUBLIC_URL: PORTAL,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'api-access@plan.example',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
      VERIFICATION_MAIL_INTERVAL_SECONDS: '60',
    });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: new InProcessEventBus() });
    await app.init();
    http = app.getHttpServer();
  });

  afterAll(async () => {
    await app?.close();
    await smtp.stop();
    await database?.drop();
  });

  describe('email verification', () => {
    it('mails a single-use link at sign-up; until it is followed the account logs in but cannot submit', async () => {
      const { body: account } = await request(http).post('/v1/accounts').send(accountBody('new-dev@acme-health.example', 'developer')).expect(201);
      expect(account).toMatchObject({ email: 'new-dev@acme-health.example', emailVerified: false, secondFactor: false });
      const mail = await smtp.waitFor((each) => each.to.includes('new-dev@acme-health.example'), 'with the verification link');
      expect(mail.subject).toBe('Confirm your email address');
      const token = tokenOf(mail);
      expect(mail.text).toContain(`${PORTAL}/verify-email?token=`);
      // Stored hashed: the mailed token is nowhere in the table.
      const stored = await rows<{ token_hash: string }>(`SELECT token_hash FROM email_verification`);
      expect(stored.length).toBeGreaterThan(0);
      expect(JSON.stringify(stored)).not.toContain(token);

      const access = (await login('new-dev@acme-health.example').expect(200)).body.access_token as string;
      const refused = await request(http).post('/v1/applications').set('Authorization', `Bearer ${access}`).send(applicationBody()).expect(403);
      expect(refused.body).toMatchObject({ code: 'email_not_verified', message: expect.stringContaining('Confirm your email address') });
      expect(await rows(`SELECT id FROM registration`)).toHaveLength(0);

      const [first, second] = await Promise.all([
        request(http).post('/v1/accounts/verify-email').send({ token }),
        request(http).post('/v1/accounts/verify-email').send({ token }),
      ]);
      // Two parallel uses of one link: exactly one confirms, the other is told the link is spent.
      expect([first.status, second.status].sort()).toEqual([200, 400]);
      expect([first, second].find((each) => each.status === 200)?.body).toEqual({ email: 'new-dev@acme-health.example', emailVerified: true });
      expect([first, second].find((each) => each.status === 400)?.body.code).toBe('invalid_verification_token');

      expect((await request(http).get('/v1/accounts/me').set('Authorization', `Bearer ${access}`).expect(200)).body.emailVerified).toBe(true);
      await request(http).post('/v1/applications').set('Authorization', `Bearer ${access}`).send(applicationBody()).expect(201);
      await request(http).post('/v1/accounts/me/verification-mail').set('Authorization', `Bearer ${access}`).expect(409);
    });

    it('sends a new link on request, throttled, and refuses expired, unknown and malformed tokens', async () => {
      await request(http).post('/v1/accounts').send(accountBody('late@acme-health.example', 'developer')).expect(201);
      await smtp.waitFor((each) => each.to.includes('late@acme-health.example'), 'at sign-up');
      const access = (await login('late@acme-health.example').expect(200)).body.access_token as string;
      // The sign-up's mail went out a moment ago: another waits for the interval.
      const throttled = await request(http).post('/v1/accounts/me/verification-mail').set('Authorization', `Bearer ${access}`).expect(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      await rows(`UPDATE email_verification SET created_at = created_at - interval '2 minutes', expires_at = now() - interval '1 second'`);

      const expiredToken = tokenOf(smtp.mails.filter((each) => each.to.includes('late@acme-health.example'))[0]);
      expect((await request(http).post('/v1/accounts/verify-email').send({ token: expiredToken }).expect(400)).body.code).toBe('invalid_verification_token');

      const resent = await request(http).post('/v1/accounts/me/verification-mail').set('Authorization', `Bearer ${access}`).expect(202);
      expect(resent.body).toEqual({ sentTo: 'late@acme-health.example' });
      await smtp.waitFor((each) => each.to.includes('late@acme-health.example') && tokenOf(each) !== expiredToken, 'resent');
      const fresh = tokenOf(smtp.mails.filter((each) => each.to.includes('late@acme-health.example')).at(-1) ?? { text: '' });
      await request(http).post('/v1/accounts/verify-email').send({ token: fresh }).expect(200);

      await request(http).post('/v1/accounts/verify-email').send({ token: 'A'.repeat(43) }).expect(400);
      for (const token of [42, 'short', `${'a'.repeat(42)}\u0000`, ['x'], null]) {
        const bad = await request(http).post('/v1/accounts/verify-email').send({ token }).expect(400);
        expect(bad.body).toMatchObject({ statusCode: 400, message: expect.anything() });
      }
    });

    it('counts staff and accounts created before this change as verified', async () => {
      const [staff] = await rows<{ email_verified_at: Date | null }>(`SELECT email_verified_at FROM account WHERE email = $1`, [STAFF.email]);
      expect(staff.email_verified_at).not.toBeNull();
    });
  });

  describe('second factor', () => {
    let staffSecret = '';
    let recoveryCodes: string[] = [];

    it('makes staff enrol at their first login before any access token, with a token good for nothing else', async () => {
      const { body: step } = await login(STAFF.email, STAFF.password).expect(200);
      expect(step).toEqual({ second_factor: 'enrolment_required', second_factor_token: expect.any(String), expires_in: 300 });
      expect(step.access_token).toBeUndefined();
      // The step's token is no portal access token, and a verify step cannot enrol (nor the reverse).
      await request(http).get('/v1/accounts/me').set('Authorization', `Bearer ${step.second_factor_token}`).expect(401);
      await request(http).post('/v1/auth/second-factor').send({ second_factor_token: step.second_factor_token, code: '123456' }).expect(401);

      const { body: enrolment } = await request(http).post('/v1/auth/second-factor/enrolment').send({ second_factor_token: step.second_factor_token }).expect(200);
      expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\/.+secret=[A-Z2-7]{32}/);
      staffSecret = enrolment.secret;

      const wrong = await request(http).post('/v1/auth/second-factor/enrolment/confirm').send({ second_factor_token: step.second_factor_token, code: wrongCode(staffSecret) }).expect(401);
      expect(wrong.body.code).toBe('invalid_second_factor');
      const confirmed = await request(http)
        .post('/v1/auth/second-factor/enrolment/confirm')
        .send({ second_factor_token: step.second_factor_token, code: await freshTotpCode(staffSecret) })
        .expect(200);
      expect(confirmed.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
      recoveryCodes = confirmed.body.recovery_codes;
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      const me = await request(http).get('/v1/accounts/me').set('Authorization', `Bearer ${confirmed.body.access_token}`).expect(200);
      expect(me.body).toMatchObject({ kind: 'staff', secondFactor: true, recoveryCodesLeft: 10 });
      // A second enrolment is refused while one is active.
      await request(http).post('/v1/auth/second-factor/enrolment').send({ second_factor_token: step.second_factor_token }).expect(409);
      await request(http).post('/v1/accounts/me/second-factor').set('Authorization', `Bearer ${confirmed.body.access_token}`).expect(409);
    });

    it('keeps the secret encrypted and the recovery codes hashed at rest', async () => {
      const [row] = await rows<{ totp_secret: string }>(`SELECT totp_secret FROM account WHERE email = $1`, [STAFF.email]);
      expect(row.totp_secret).not.toContain(staffSecret);
      expect(row.totp_secret.split('.')).toHaveLength(5); // JWE compact serialization
      const stored = JSON.stringify(await rows(`SELECT code_hash FROM recovery_code`));
      for (const code of recoveryCodes) expect(stored).not.toContain(code.replace(/-/g, ''));
    });

    it('asks for a code at each login and accepts each code once, also under concurrency', async () => {
      const step = (await login(STAFF.email, STAFF.password).expect(200)).body;
      expect(step.second_factor).toBe('required');
      const code = await freshTotpCode(staffSecret);
      const attempts = await Promise.all(
        [0, 1].map(() => request(http).post('/v1/auth/second-factor').send({ second_factor_token: step.second_factor_token, code })),
      );
      expect(attempts.map((each) => each.status).sort()).toEqual([200, 401]);
      // The code of the step just used, and the one before it, are spent.
      const again = (await login(STAFF.email, STAFF.password).expect(200)).body;
      await request(http).post('/v1/auth/second-factor').send({ second_factor_token: again.second_factor_token, code }).expect(401);
      await request(http).post('/v1/auth/second-factor').send({ second_factor_token: again.second_factor_token, code: currentCode(staffSecret, new Date(Date.now() - 30_000)) }).expect(401);
    });

    it('accepts a recovery code once: of two parallel uses exactly one logs in, and it fails afterwards', async () => {
      const step = (await login(STAFF.email, STAFF.password).expect(200)).body;
      const [code] = recoveryCodes;
      const attempts = await Promise.all(
        [0, 1].map(() => request(http).post('/v1/auth/second-factor').send({ second_factor_token: step.second_factor_token, recovery_code: code.toUpperCase() })),
      );
      expect(attempts.map((each) => each.status).sort()).toEqual([200, 401]);
      await request(http).post('/v1/auth/second-factor').send({ second_factor_token: step.second_factor_token, recovery_code: code }).expect(401);
      const token = attempts.find((each) => each.status === 200)?.body.access_token;
      expect((await request(http).get('/v1/accounts/me').set('Authorization', `Bearer ${token}`).expect(200)).body.recoveryCodesLeft).toBe(9);
      // Another code still works.
      await request(http).post('/v1/auth/second-factor').send({ second_factor_token: step.second_factor_token, recovery_code: recoveryCodes[1] }).expect(200);
    });

    it('refuses malformed second-factor requests with 400s, and a forged step token with 401', async () => {
      const step = (await login(STAFF.email, STAFF.password).expect(200)).body;
      for (const body of [
        { second_factor_token: step.second_factor_token },
        { second_factor_token: step.second_factor_token, code: '123456', recovery_code: recoveryCodes[2] },
        { second_factor_token: step.second_factor_token, code: 123456 },
        { second_factor_token: step.second_factor_token, code: '12345\u0000' },
        { second_factor_token: 42, code: '123456' },
      ]) {
        await request(http).post('/v1/auth/second-factor').send(body).expect(400);
      }
      const [header, payload] = String(step.second_factor_token).split('.');
      await request(http).post('/v1/auth/second-factor').send({ second_factor_token: `${header}.${payload}.forged`, code: '123456' }).expect(401);
    });

    it('throttles wrong codes like passwords, with the time to wait', async () => {
      const { body: account } = await request(http).post('/v1/accounts').send(accountBody('guarded@acme-health.example', 'developer')).expect(201);
      expect(account.secondFactor).toBe(false);
      const access = (await login('guarded@acme-health.example').expect(200)).body.access_token as string;
      // A vendor may turn the second factor on.
      const { body: enrolment } = await request(http).post('/v1/accounts/me/second-factor').set('Authorization', `Bearer ${access}`).expect(200);
      await request(http).post('/v1/accounts/me/second-factor/confirm').set('Authorization', `Bearer ${access}`).send({ code: 'abcdef' }).expect(400);
      const { body: enabled } = await request(http)
        .post('/v1/accounts/me/second-factor/confirm')
        .set('Authorization', `Bearer ${access}`)
        .send({ code: await freshTotpCode(enrolment.secret) })
        .expect(200);
      expect(enabled.recoveryCodes).toHaveLength(10);

      const step = (await login('guarded@acme-health.example').expect(200)).body;
      expect(step.second_factor).toBe('required');
      for (let attempt = 0; attempt < 5; attempt++) {
        await request(http).post('/v1/auth/second-factor').send({ second_factor_token: step.second_factor_token, code: wrongCode(enrolment.secret) }).expect(401);
      }
      // Past the limit even the right code waits, so guessing gains nothing.
      const refused = await request(http).post('/v1/auth/second-factor').send({ second_factor_token: step.second_factor_token, code: await freshTotpCode(enrolment.secret) }).expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
});

/** A 6-digit code that is not the current one, nor its neighbours. */
function wrongCode(secret: string): string {
  const near = [-30_000, 0, 30_000].map((offset) => currentCode(secret, new Date(Date.now() + offset)));
  for (let candidate = 0; ; candidate++) {
    const code = String(candidate).padStart(6, '0');
    if (!near.includes(code)) return code;
  }
}
