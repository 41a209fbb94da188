import { currentCode } from '../../src/auth/second-factor/totp';
import { SANDBOX_ADMIN_TOTP_SECRET } from '../../src/accounts/accounts.service';
import request from 'supertest';
import type { DataSource } from 'typeorm';

type Http = Parameters<typeof request>[0];

/** The TOTP secrets this test file enrolled, and the last time step it used for each. */
const enrolled = new Map<string, { secret: string; lastStep: number }>();

/**
 * A code the service has not seen yet for `secret`: TOTP codes are accepted once per 30-second step
 * (window ±1), so a second login within a step uses the next one, and a third waits for it.
 */
export async function freshCode(secret: string): Promise<string> {
  const state = enrolled.get(secret) ?? { secret, lastStep: 0 };
  let current = Math.floor(Date.now() / 30_000);
  const step = Math.max(current, state.lastStep + 1);
  if (step > current + 1) {
    await new Promise((resolve) => setTimeout(resolve, (step - 1) * 30_000 - Date.now() + 50));
    current = Math.floor(Date.now() / 30_000);
  }
  enrolled.set(secret, { secret, lastStep: step });
  return currentCode(secret, new Date(step * 30_000 + 1_000));
}

/**
 * A staff login with its second factor: enrols one at the first login (remembering the secret),
 * or answers with a fresh code (the sandbox admin's is published).
 */
export async function staffLogin(http: Http, email: string, password: string, address?: string): Promise<string> {
  const post = (path: string, body: object) => {
    const call = request(http).post(path);
    return (address ? call.set('X-Forwarded-For', address) : call).send(body);
  };
  const first = (await post('/v1/auth/login', { email, password }).expect(200)).body as Record<string, string>;
  if (first.access_token) return first.access_token;
  const token = first.second_factor_token;
  if (first.second_factor === 'enrolment_required') {
    const { secret } = (await post('/v1/auth/second-factor/enrolment', { second_factor_token: token }).expect(200)).body as { secret: string };
    secretsByEmail.set(email, secret);
    const confirmed = await post('/v1/auth/second-factor/enrolment/confirm', { second_factor_token: token, code: await freshCode(secret) }).expect(200);
    return confirmed.body.access_token as string;
  }
  const secret = secretsByEmail.get(email) ?? SANDBOX_ADMIN_TOTP_SECRET;
  const done = await post('/v1/auth/second-factor', { second_factor_token: token, code: await freshCode(secret) }).expect(200);
  return done.body.access_token as string;
}

const secretsByEmail = new Map<string, string>();

/**
 * Test set-up for files about other things: marks a sign-up's address confirmed, as following the
 * mailed link would (that link is tested in account-security.e2e-spec.ts).
 */
export async function confirmEmail(dataSource: DataSource, email: string): Promise<void> {
  await dataSource.query(`UPDATE account SET email_verified_at = now() WHERE email = lower($1)`, [email]);
}
