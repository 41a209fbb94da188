import { createHash, randomBytes } from 'node:crypto';
import { buildSmartConfiguration, CLIENT_KIND_SCOPES, grantScopes, SCOPES_SUPPORTED, type ClientKind } from '@payer-access/scopes';
import * as argon2 from 'argon2';
import request from 'supertest';
import { MemberGrantsService } from '../src/grants/member-grants.service';
import { describeScopes } from '../src/interaction/scope-descriptions';
import { CookieJar, runJourney } from './support/member-journey';
import { SEED_CLIENT, authorizeUrl, decodePayload, seedTokenRequest, startTestService, tokenRequest, type TestService } from './support/test-service';

const SPA = { clientId: 'spa-app', redirectUri: 'https://spa.example/callback', origin: 'https://spa.example' };
const HOSTILE_HOST = 'attacker.example';
const AUTHORIZE_PATH = '/fhirmember/sps/oauth/oauth20/authorize';

function s256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function scopeSet(scope: unknown): string[] {
  return String(scope ?? '').split(' ').filter(Boolean).sort();
}

/**
 * What browser SMART apps (fhirclient) and certified relying parties (openid-client) need from the
 * authorization server out of the box, tried the way an app developer would.
 */
describe('authorization server for browser SMART apps and off-the-shelf clients', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
    await service.publishClient(SPA.clientId, {
      status: 'approved',
      client: { name: 'Browser App', clientType: 'public', redirectUris: [SPA.redirectUri], secretHash: null, allowedScopes: [] },
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  /** A public browser app's authorization: the journey, then the code exchange with PKCE and no secret. */
  async function spaTokens(scope: string, choice: Parameters<typeof runJourney>[2] = {}, jar = new CookieJar()) {
    const verifier = randomBytes(48).toString('base64url');
    const url = `${service.url}${AUTHORIZE_PATH}?${new URLSearchParams({
      response_type: 'code',
      client_id: SPA.clientId,
      redirect_uri: SPA.redirectUri,
      scope,
      state: 'spa-state',
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    }).toString()}`;
    const { redirect } = await runJourney(service.url, url, choice, jar);
    const code = redirect?.searchParams.get('code');
    expect(code).toBeTruthy();
    const tokens = await tokenRequest(
      service.url,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: SPA.redirectUri, client_id: SPA.clientId, code_verifier: verifier },
      { origin: SPA.origin },
    );
    expect(tokens.status).toBe(200);
    return tokens.body;
  }

  describe('SMART discovery', () => {
    it('is the shared document for this configuration, whatever Host the request names', async () => {
      // The FHIR service builds its copy at its base with the same function and settings; the
      // platform suite compares the two services' answers byte for byte.
      const expected = JSON.stringify(buildSmartConfiguration({ issuer: service.url, authorizePath: AUTHORIZE_PATH, tokenPath: '/fhirmember/sps/oauth/oauth20/token' }));
      expect(await (await fetch(`${service.url}/.well-known/smart-configuration`)).text()).toBe(expected);
      const spoofed = await request(service.app.getHttpServer()).get('/.well-known/smart-configuration').set('Host', HOSTILE_HOST).expect(200);
      expect(spoofed.text).toBe(expected);
    });

    it.each(['/.well-known/openid-configuration', '/.well-known/smart-configuration', '/jwks'])('lets any page fetch %s cross-origin', async (path) => {
      const response = await fetch(`${service.url}${path}`, { headers: { origin: 'https://any-app.example' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toMatch(/^(\*|https:\/\/any-app\.example)$/);
    });
  });

  describe('published URLs come from AUTHORIZATION_PUBLIC_URL, not from the request', () => {
    const localhostUrl = () => service.url.replace('127.0.0.1', 'localhost');

    function expectOnIssuer(document: Record<string, unknown>) {
      expect(document.issuer).toBe(service.url);
      for (const [name, value] of Object.entries(document)) {
        if (name.endsWith('_endpoint') || name.endsWith('_uri')) expect(`${name}=${String(value)}`).toMatch(new RegExp(`^${name}=${service.url.replace(/\./g, '\\.')}/`));
      }
    }

    it.each(['/.well-known/openid-configuration', '/.well-known/smart-configuration'])('%s, fetched as localhost or 127.0.0.1', async (path) => {
      for (const base of [service.url, localhostUrl()]) {
        const response = await fetch(`${base}${path}`);
        expect(response.status).toBe(200);
        expectOnIssuer((await response.json()) as Record<string, unknown>);
      }
    });

    it.each(['/.well-known/openid-configuration', '/.well-known/smart-configuration'])('%s, whatever X-Forwarded-Host and Host say', async (path) => {
      const response = await fetch(`${service.url}${path}`, { headers: { 'x-forwarded-host': HOSTILE_HOST, 'x-forwarded-proto': 'https', forwarded: `host=${HOSTILE_HOST}` } });
      const text = await response.text();
      expect(text).not.toContain(HOSTILE_HOST);
      expectOnIssuer(JSON.parse(text) as Record<string, unknown>);
      const spoofed = await request(service.app.getHttpServer()).get(path).set('Host', HOSTILE_HOST).expect(200);
      expect(spoofed.text).not.toContain(HOSTILE_HOST);
      expectOnIssuer(spoofed.body as Record<string, unknown>);
    });

    it('in the redirects of the authorization journey', async () => {
      const response = await request(service.app.getHttpServer()).get(new URL(authorizeUrl(service.url)).pathname + new URL(authorizeUrl(service.url)).search).set('Host', HOSTILE_HOST).set('X-Forwarded-Host', HOSTILE_HOST);
      expect(response.status).toBe(303);
      expect(response.headers.location).not.toContain(HOSTILE_HOST);
    });
  });

  describe('refresh by a public client (RFC 6749 §6, SMART refresh step)', () => {
    it('needs only grant_type and refresh_token, and answers the browser app cross-origin', async () => {
      const tokens = await spaTokens('openid fhirUser offline_access patient/*.read');
      const refreshToken = String(tokens.refresh_token);
      expect(refreshToken).toBeTruthy();

      const refreshed = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: refreshToken }, { origin: SPA.origin });
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.get('access-control-allow-origin')).toBe(SPA.origin);
      expect(refreshed.body).toMatchObject({ token_type: 'Bearer', patient: '-20140000000024' });
      expect(refreshed.body.refresh_token).not.toBe(refreshToken);
      expect(decodePayload(String(refreshed.body.access_token)).client_id).toBe(SPA.clientId);

      // A narrower scope may be asked for (RFC 6749 §6).
      const narrowed = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(refreshed.body.refresh_token), scope: 'patient/*.read' });
      expect(narrowed.status).toBe(200);
      expect(decodePayload(String(narrowed.body.access_token)).scope).toBe('patient/*.read');

      // The rotated token presented again is a replay: the grant is revoked, not the client refused.
      const replay = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: refreshToken });
      expect(replay.status).toBe(400);
      expect(replay.body.error).toBe('invalid_grant');
    });

    it('still requires a confidential client to authenticate', async () => {
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
      const tokens = (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, unknown>;
      expect(tokens.refresh_token).toBeTruthy();
      const anonymous = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) });
      expect(anonymous.status).toBe(400);
      expect(anonymous.body.error).toBe('invalid_request');
      const named = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token), client_id: SEED_CLIENT.clientId });
      expect(named.status).toBe(401);
      expect(named.body.error).toBe('invalid_client');
      // The token is still good for its client when it authenticates.
      const authenticated = await tokenRequest(service.url, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
        client_id: SEED_CLIENT.clientId,
        client_secret: SEED_CLIENT.secret,
      });
      expect(authenticated.status).toBe(200);
    });

    it.each([
      ['an unknown token', 'x'.repeat(43)],
      ['a NUL byte', 'abc\u0000def'],
      ['odd Unicode', '\u202e\ud83d\ude00'.repeat(10)],
      ['an empty token', ''],
      ['a huge token', 'y'.repeat(40_000)],
    ])('answers %s without client authentication with a 4xx', async (_name, refreshToken) => {
      const response = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: refreshToken });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(typeof response.body.error).toBe('string');
    });

    it('does not let a refresh token be used by another client', async () => {
      const tokens = await spaTokens('openid offline_access patient/*.read');
      const stolen = await tokenRequest(service.url, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
        client_id: SEED_CLIENT.clientId,
        client_secret: SEED_CLIENT.secret,
      });
      expect(stolen.status).toBe(400);
      expect(stolen.body.error).toBe('invalid_grant');
    });
  });

  describe('single sign-on across apps (sso-openid-connect)', () => {
    it('keeps the member signed in for the next app, and still asks consent per app', async () => {
      const jar = new CookieJar();
      const first = await runJourney(service.url, authorizeUrl(service.url), { username: 'BCNCUser05', password: 'BCNCPSWD05' }, jar);
      expect(first.redirect?.searchParams.get('code')).toBeTruthy();

      // A wrong password would stop the journey on the login page: it is never asked for.
      const steps: string[] = [];
      const tokens = await spaTokens('openid fhirUser patient/*.read', { password: 'not-the-password', onPage: (step) => steps.push(step) }, jar);
      expect(steps).not.toContain('login');
      expect(steps).toContain('consent');
      expect(tokens.patient).toBe('-19990000000001');

      const denied = await runJourney(service.url, authorizeUrl(service.url), { password: 'not-the-password', decision: 'deny' }, jar);
      expect(denied.redirect?.searchParams.get('error')).toBe('access_denied');
    });

    it('asks again when the app asks for a fresh login, or in another browser', async () => {
      const jar = new CookieJar();
      await runJourney(service.url, authorizeUrl(service.url), {}, jar);
      const fresh = await runJourney(service.url, authorizeUrl(service.url, { prompt: 'login' }), { password: 'not-the-password' }, jar);
      expect(fresh.status).toBe(401);
      const otherBrowser = await runJourney(service.url, authorizeUrl(service.url), { password: 'not-the-password' });
      expect(otherBrowser.status).toBe(401);
    });
  });

  describe('seed 002 step 5: the authorization URL with only client_id', () => {
    it('completes in the sandbox with the seed scope and the one registered redirect URI', async () => {
      const { redirect } = await runJourney(service.url, `${service.url}${AUTHORIZE_PATH}?client_id=${SEED_CLIENT.clientId}`);
      expect(`${redirect?.origin}${redirect?.pathname}`).toBe(SEED_CLIENT.redirectUri);
      const response = await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '');
      expect(response.status).toBe(200);
      const tokens = (await response.json()) as Record<string, unknown>;
      expect(scopeSet(tokens.scope)).toEqual(scopeSet('openid fhirUser profile patient/*.read'));
      expect(tokens).toMatchObject({ patient: '-20140000000024', token_type: 'Bearer' });
      expect(tokens.id_token).toBeTruthy();
    });

    it.each([
      ['an unknown client', 'no-such-client'],
      ['a NUL byte', 'abc\u0000def'],
      ['odd Unicode', '\u202e\ud83d\ude00\u0301'],
      ['a very long id', 'c'.repeat(5000)],
      ['an empty id', ''],
    ])('answers only client_id of %s with a 4xx page, never a 500', async (_name, clientId) => {
      const response = await fetch(`${service.url}${AUTHORIZE_PATH}?client_id=${encodeURIComponent(clientId)}`, { redirect: 'manual' });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('location')).toBeNull();
    });

    it('keeps what the request does name', async () => {
      const response = await fetch(`${service.url}${AUTHORIZE_PATH}?client_id=${SEED_CLIENT.clientId}&redirect_uri=${encodeURIComponent('https://elsewhere.example/cb')}`, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('redirect_uri');
    });

    it('is refused in production', async () => {
      const production = await startTestService({ PROFILE: 'production', COOKIE_KEYS: randomBytes(32).toString('base64url'), SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') });
      try {
        const response = await fetch(`${production.url}${AUTHORIZE_PATH}?client_id=${SEED_CLIENT.clientId}`, { redirect: 'manual' });
        // The provider reports the error to the client's one registered redirect URI (RFC 6749 §4.1.2.1).
        expect(response.status).toBe(303);
        const redirect = new URL(response.headers.get('location') ?? '');
        expect(`${redirect.origin}${redirect.pathname}`).toBe(SEED_CLIENT.redirectUri);
        expect(redirect.searchParams.get('error')).toBe('invalid_request');
        expect(redirect.searchParams.get('error_description')).toContain('response_type');
        expect(redirect.searchParams.get('code')).toBeNull();
      } finally {
        await production.close();
      }
    });
  });

  describe('one scope policy', () => {
    const asked = 'openid fhirUser profile launch/patient offline_access patient/*.read patient/Coverage.write user/Patient.read system/*.read unknown/scope';

    it.each<[ClientKind, string]>([
      ['application', 'policy-app'],
      ['payer', 'policy-payer'],
    ])('discovery, consent page, stored grant and token agree for a %s', async (kind, clientId) => {
      const secret = `${clientId}-secret-0123456789`;
      await service.publishClient(clientId, {
        kind,
        status: 'approved',
        client: {
          name: `Policy ${kind}`,
          clientType: 'confidential',
          redirectUris: ['https://policy.example/cb'],
          secretHash: await argon2.hash(secret, { type: argon2.argon2id }),
          allowedScopes: [...CLIENT_KIND_SCOPES[kind]],
          system: kind === 'payer',
        },
      });
      const expected = grantScopes(asked, CLIENT_KIND_SCOPES[kind]);
      let consentPage = '';
      const { redirect } = await runJourney(
        service.url,
        `${service.url}${AUTHORIZE_PATH}?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://policy.example/cb', scope: asked, state: 's' }).toString()}`,
        { onPage: (step, body) => (step === 'consent' ? (consentPage = body) : undefined) },
      );
      const tokens = await tokenRequest(service.url, {
        grant_type: 'authorization_code',
        code: redirect?.searchParams.get('code') ?? '',
        redirect_uri: 'https://policy.example/cb',
        client_id: clientId,
        client_secret: secret,
      });
      expect(tokens.status).toBe(200);

      // Token response and access token.
      expect(scopeSet(tokens.body.scope)).toEqual(scopeSet(expected.scope));
      expect(scopeSet(decodePayload(String(tokens.body.access_token)).scope)).toEqual(scopeSet(expected.resource.join(' ')));
      // Stored grant.
      const grantId = String(decodePayload(String(tokens.body.access_token)).grant_id);
      const stored = await service.app.get(MemberGrantsService).find(grantId);
      expect(scopeSet(stored?.scope)).toEqual(scopeSet(tokens.body.scope));
      // Consent page: what it listed is what was granted, nothing that was not.
      const listed = [...consentPage.matchAll(/<li>([^<]*)<\/li>/g)].map((match) => match[1].replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
      expect(listed).toEqual(describeScopes(expected.scope));
      expect(consentPage).not.toMatch(/read and change/);
      // Discovery advertises every scope granted, in both documents.
      for (const path of ['/.well-known/openid-configuration', '/.well-known/smart-configuration']) {
        const advertised = ((await (await fetch(`${service.url}${path}`)).json()) as { scopes_supported: string[] }).scopes_supported;
        expect(advertised).toEqual([...SCOPES_SUPPORTED]);
        expect(advertised).toEqual(expect.arrayContaining(scopeSet(tokens.body.scope)));
      }
      // What was asked beyond the policy is in none of them.
      for (const outside of ['patient/Coverage.write', 'user/Patient.read', 'system/*.read', 'unknown/scope']) expect(scopeSet(tokens.body.scope)).not.toContain(outside);
    });
  });
});
