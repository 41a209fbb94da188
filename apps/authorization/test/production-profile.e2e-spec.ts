import { ConfigValidationError, loadConfig } from '@payer-access/config';
import { DatabaseProfileMismatchError } from '@payer-access/database';
import { InProcessEventBus, sandboxEventSigner } from '@payer-access/events';
import { createTestDatabase } from '@payer-access/testing';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { AuthorizationConfig } from '../src/authorization.config';
import { createAuthorizationApp } from '../src/authorization.service-app';
import { SEED_CLIENT, authorizeUrl, startTestService, type TestService } from './support/test-service';

/** The keys production requires; the test service publishes client events signed with registration's sandbox key. */
async function productionKeys(): Promise<Record<string, string>> {
  return {
    COOKIE_KEYS: randomBytes(32).toString('base64url'),
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    AUTHORIZATION_EVENT_SIGNING_KEY: JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })),
    REGISTRATION_EVENT_PUBLIC_KEYS: JSON.stringify({ keys: [(await sandboxEventSigner('registration')).publicJwk] }),
    CLIENT_SECRET_SEALING_KEY: randomBytes(32).toString('base64url'),
  };
}

describe('production profile', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ PROFILE: 'production', ...(await productionKeys()) });
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

  it('a sandbox instance refuses the database production uses, before seeding its members', async () => {
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: service.database.url, PROFILE: 'sandbox' });
    await expect(createAuthorizationApp({ ...config, DATABASE_URL: service.database.url }, { logger: false, eventBus: new InProcessEventBus() })).rejects.toThrow(DatabaseProfileMismatchError);
    const dataSource = service.app.get((await import('typeorm')).DataSource);
    expect(await dataSource.query('SELECT 1 FROM member_account')).toEqual([]);
    expect(await dataSource.query('SELECT profile FROM database_profile')).toEqual([{ profile: 'production' }]);
  });

  it.each(['COOKIE_KEYS', 'SIGNING_KEY_ENCRYPTION_KEY', 'AUTHORIZATION_EVENT_SIGNING_KEY', 'REGISTRATION_EVENT_PUBLIC_KEYS', 'CLIENT_SECRET_SEALING_KEY'])(
    'will not start without %s: its configuration does not load, and says so in one line',
    async (variable) => {
      const database = await createTestDatabase();
      try {
        const { [variable]: _omitted, ...keys } = await productionKeys();
        expect(() => loadConfig(AuthorizationConfig, { DATABASE_URL: database.url, PROFILE: 'production', ...keys })).toThrow(
          new ConfigValidationError([`${variable} is required in the production profile`]),
        );
        // Nor when the service is handed a configuration that skipped validation.
        const config = { ...loadConfig(AuthorizationConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', ...keys }), PROFILE: 'production' as const };
        await expect(createAuthorizationApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: new InProcessEventBus() })).rejects.toThrow(
          new RegExp(`^${variable} is required in the production profile[^\n]*$`),
        );
      } finally {
        await database.drop();
      }
    },
  );
});
