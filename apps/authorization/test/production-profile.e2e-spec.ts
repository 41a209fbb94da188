import { loadConfig } from '@payer-access/config';
import { InProcessEventBus } from '@payer-access/events';
import { createTestDatabase } from '@payer-access/testing';
import { createHash, randomBytes } from 'node:crypto';
import { AuthorizationConfig } from '../src/authorization.config';
import { createAuthorizationApp } from '../src/authorization.service-app';
import { SEED_CLIENT, authorizeUrl, startTestService, type TestService } from './support/test-service';

describe('production profile', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ PROFILE: 'production', COOKIE_KEYS: randomBytes(32).toString('base64url') });
  });

  afterAll(async () => {
    await service?.close();
  });

  async function authorize(params: Record<string, string>): Promise<URL> {
    const response = await fetch(authorizeUrl(service.url, params), { redirect: 'manual' });
    return new URL(response.headers.get('location') ?? '', service.url);
  }

  it('sends HSTS and nosniff on every answer, those of the OAuth engine included', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/fhirmember/sps/oauth/oauth20/token', '/account/apps', '/no/such/route']) {
      const response = await fetch(`${service.url}${path}`, { redirect: 'manual' });
      expect([path, response.headers.get('strict-transport-security'), response.headers.get('x-content-type-options')]).toEqual([
        path,
        'max-age=31536000; includeSubDomains',
        'nosniff',
      ]);
    }
  });

  it('refuses PKCE plain, and a challenge without its method', async () => {
    const challenge = randomBytes(48).toString('base64url');
    for (const params of [{ code_challenge: challenge, code_challenge_method: 'plain' }, { code_challenge: challenge }] as Record<string, string>[]) {
      const redirect = await authorize(params);
      expect(`${redirect.origin}${redirect.pathname}`).toBe(SEED_CLIENT.redirectUri);
      expect(redirect.searchParams.get('error')).toBe('invalid_request');
      expect(redirect.searchParams.get('code')).toBeNull();
    }
  });

  it('accepts S256 and goes on to the member pages', async () => {
    const challenge = createHash('sha256').update(randomBytes(48).toString('base64url')).digest('base64url');
    const redirect = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
    expect(redirect.pathname).toMatch(/^\/interaction\//);
  });

  it('does not seed the sandbox members', async () => {
    const rows: unknown[] = await service.app.get((await import('typeorm')).DataSource).query('SELECT 1 FROM member_account');
    expect(rows).toEqual([]);
  });

  it('will not start without cookie keys', async () => {
    const database = await createTestDatabase();
    try {
      const config = loadConfig(AuthorizationConfig, { DATABASE_URL: database.url, PROFILE: 'production' });
      await expect(createAuthorizationApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: new InProcessEventBus() })).rejects.toThrow(/COOKIE_KEYS/);
    } finally {
      await database.drop();
    }
  });
});
