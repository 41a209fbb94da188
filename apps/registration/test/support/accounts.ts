import { SANDBOX_ADMIN_TOTP_SECRET } from '../../src/accounts/accounts.service';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { freshTotpCode } from '@payer-access/testing';

type Http = Parameters<typeof request>[0];

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
    const confirmed = await post('/v1/auth/second-factor/enrolment/confirm', { second_factor_token: token, code: await freshTotpCode(secret) }).expect(200);
    return confirmed.body.access_token as string;
  }
  const secret = secretsByEmail.get(email) ?? SANDBOX_ADMIN_TOTP_SECRET;
  const done = await post('/v1/auth/second-factor', { second_factor_token: token, code: await freshTotpCode(secret) }).expect(200);
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
