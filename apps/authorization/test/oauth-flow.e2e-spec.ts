import { createHash, randomBytes } from 'node:crypto';
import { parseRepresentativeRecordedEvent, REPRESENTATIVE_RECORDED_TOPIC, type GrantRevokedEventV1 } from '@payer-access/client-status';
import { metricValue, scrapeMetrics } from '@payer-access/testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DataSource } from 'typeorm';
import { CookieJar, request, runJourney } from './support/member-journey';
import {
  FHIR_BASE,
  SEED_CLIENT,
  authorizeUrl,
  decodeHeader,
  decodePayload,
  eventually,
  seedTokenRequest,
  startTestService,
  tokenRequest,
  type TestService,
} from './support/test-service';

const PUBLIC_CLIENT = { clientId: 'native-app-1', redirectUri: 'com.example.app:/callback' };

function verifier(): string {
  return randomBytes(48).toString('base64url');
}

function s256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

describe('OAuth 2.0 / OpenID Connect / SMART endpoints', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
    await service.publishClient(PUBLIC_CLIENT.clientId, {
      status: 'approved',
      client: { name: 'Native App', clientType: 'public', redirectUris: [PUBLIC_CLIENT.redirectUri], secretHash: null, allowedScopes: [] },
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  /** The seed's journey and code exchange; returns the token response body. */
  async function seedTokens(params: Record<string, string> = {}, choice = {}): Promise<Record<string, unknown>> {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, params), choice);
    const response = await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '');
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  function revocationEvents(): GrantRevokedEventV1[] {
    return service.revocations;
  }

  describe('discovery', () => {
    it('publishes the OpenID configuration at the seed paths, CORS-enabled, without PKCE plain', async () => {
      const response = await fetch(`${service.url}/.well-known/openid-configuration`, { headers: { origin: 'https://app.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        issuer: service.url,
        authorization_endpoint: `${service.url}/fhirmember/sps/oauth/oauth20/authorize`,
        token_endpoint: `${service.url}/fhirmember/sps/oauth/oauth20/token`,
        jwks_uri: `${service.url}/jwks`,
        userinfo_endpoint: `${service.url}/connect/userinfo`,
        revocation_endpoint: `${service.url}/fhirmember/sps/oauth/oauth20/revoke`,
        introspection_endpoint: `${service.url}/fhirmember/sps/oauth/oauth20/introspect`,
        code_challenge_methods_supported: ['S256'],
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
        token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      });
    });

    it('publishes the SMART configuration with its capabilities, CORS-enabled', async () => {
      const response = await fetch(`${service.url}/.well-known/smart-configuration`);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.capabilities).toEqual(
        expect.arrayContaining(['launch-standalone', 'client-public', 'client-confidential-symmetric', 'context-standalone-patient', 'permission-offline', 'permission-patient', 'permission-v1', 'permission-v2']),
      );
      expect(body.code_challenge_methods_supported).toEqual(['S256']);
      expect(body.token_endpoint).toBe(`${service.url}/fhirmember/sps/oauth/oauth20/token`);
    });

    it('publishes, for ID tokens (RS256) and access tokens (ES256) each, the signing key and the next one in the JWKS, public parts only', async () => {
      const { keys } = (await (await fetch(`${service.url}/jwks`)).json()) as { keys: Record<string, unknown>[] };
      expect(keys).toHaveLength(4);
      expect(keys.filter((key) => key.alg === 'RS256')).toEqual([
        expect.objectContaining({ kty: 'RSA', use: 'sig' }),
        expect.objectContaining({ kty: 'RSA', use: 'sig' }),
      ]);
      expect(keys.filter((key) => key.alg === 'ES256')).toEqual([
        expect.objectContaining({ kty: 'EC', crv: 'P-256', use: 'sig' }),
        expect.objectContaining({ kty: 'EC', crv: 'P-256', use: 'sig' }),
      ]);
      for (const key of keys) expect(key.d).toBeUndefined();
    });
  });

  describe("the seed's authorization code flow", () => {
    it('redirects with a code and the state unchanged, then the literal curl returns the SMART token response', async () => {
      const state = 'a b/c?d=e&f';
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { state }));
      expect(redirect?.origin + (redirect?.pathname ?? '')).toBe(SEED_CLIENT.redirectUri);
      expect(redirect?.searchParams.get('state')).toBe(state);
      const code = redirect?.searchParams.get('code') ?? '';
      expect(code).not.toBe('');

      const response = await seedTokenRequest(service.url, code);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, patient: '-20140000000024' });
      // `read` is not a scope we know: dropped, not an error.
      expect(String(body.scope).split(' ').sort()).toEqual(['openid', 'patient/*.read', 'profile']);
      expect(typeof body.refresh_token).toBe('string');
      expect(decodeHeader(String(body.id_token)).alg).toBe('RS256');
      expect(decodeHeader(String(body.access_token))).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    });

    it('issues RFC 9068 access tokens that verify offline against the published JWKS', async () => {
      const body = await seedTokens({ scope: 'openID FHIRUser profile patient/*.read' }, { username: 'BCNCUser04', password: 'BCNCPSWD04' });
      const accessToken = String(body.access_token);
      const { payload, protectedHeader } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${service.url}/jwks`)), {
        issuer: service.url,
        audience: FHIR_BASE,
        typ: 'at+jwt',
      });
      expect(protectedHeader.kid).toEqual(expect.any(String));
      expect(payload).toMatchObject({
        client_id: SEED_CLIENT.clientId,
        // The identity scopes travel with the resource scopes: the FHIR host serves UserInfo too.
        scope: 'openid fhirUser profile patient/*.read',
        patient: '-20140000008325',
        fhirUser: 'Patient/-20140000008325',
        grant_id: expect.any(String),
        jti: expect.any(String),
        sub: expect.any(String),
      });
      expect(payload.representative).toBeUndefined();
      expect(payload.withhold_demographics).toBeUndefined();
      // The seed writes `openID` and `FHIRUser`: the id_token names the member's Patient.
      const idToken = decodePayload(String(body.id_token));
      expect(idToken).toMatchObject({ aud: SEED_CLIENT.clientId, fhirUser: 'Patient/-20140000008325', name: 'Jane Doe', sub: payload.sub });
    });

    it('accepts the authorization request by POST as well', async () => {
      const jar = new CookieJar();
      const form = new URL(authorizeUrl(service.url)).searchParams;
      const first = await request(jar, `${service.url}/fhirmember/sps/oauth/oauth20/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      expect(first.status).toBe(303);
      const { redirect } = await runJourney(service.url, new URL(first.headers.get('location') ?? '', service.url).toString(), {}, jar);
      expect(redirect?.searchParams.get('code')).toEqual(expect.any(String));
    });

    it('records a Personal Representative on the grant, in the token and in the audit trail', async () => {
      const body = await seedTokens(
        { scope: 'openid fhirUser patient/*.read' },
        { username: 'BCNCUser05', password: 'BCNCPSWD05', representative: { relationship: 'other', relationshipText: 'Aunt', name: 'Mary Roe' }, withholdDemographics: true },
      );
      const claims = decodePayload(String(body.access_token));
      expect(claims).toMatchObject({
        patient: '-19990000000001',
        representative: { relationship: 'Aunt', name: 'Mary Roe' },
        withhold_demographics: true,
        fhirUser: expect.stringMatching(/^RelatedPerson\/[0-9a-f-]{36}$/),
      });
      expect(decodePayload(String(body.id_token)).fhirUser).toBe(claims.fhirUser);
      const audit: { action: string; detail: Record<string, unknown> }[] = await service.app
        .get(DataSource)
        .query(`SELECT action, detail FROM audit_event WHERE grant_id = $1`, [claims.grant_id]);
      expect(audit).toEqual([
        {
          action: 'grant.consented',
          detail: expect.objectContaining({ actingAs: 'representative', relationship: 'other', relationshipText: 'Aunt', representativeName: 'Mary Roe', withholdDemographics: true }),
        },
      ]);
      // The FHIR service learns of the representative from one signed event, under the fhirUser id.
      const relatedPersonId = String(claims.fhirUser).slice('RelatedPerson/'.length);
      const announced = await eventually(() => service.representatives.find((each) => each.key === relatedPersonId));
      expect(announced).toEqual({
        key: relatedPersonId,
        signed: true,
        event: {
          type: 'authorization.representative.recorded',
          version: 1,
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          occurredAt: expect.any(String),
          relatedPersonId,
          patientId: '-19990000000001',
          grantId: claims.grant_id,
          clientId: SEED_CLIENT.clientId,
          relationship: 'other',
          relationshipText: 'Aunt',
          name: 'Mary Roe',
        },
      });
      expect(parseRepresentativeRecordedEvent(announced.event).ok).toBe(true);
    });

    it('announces no representative when the member acts for themself', async () => {
      const announced = async () =>
        ((await service.app.get(DataSource).query(`SELECT count(*)::int AS n FROM outbox WHERE topic = $1`, [REPRESENTATIVE_RECORDED_TOPIC])) as { n: number }[])[0].n;
      const before = await announced();
      const body = await seedTokens({ scope: 'openid fhirUser patient/*.read' }, { username: 'BCNCUser05', password: 'BCNCPSWD05' });
      expect(decodePayload(String(body.access_token)).fhirUser).toBe('Patient/-19990000000001');
      expect(await announced()).toBe(before);
    });

    it.each([
      ['a control character in the name', { relationship: 'court_ordered_guardianship', name: 'Mary\u0001Roe' }],
      ['a tab in the relationship', { relationship: 'other', relationshipText: 'Aunt\tand guardian', name: 'Mary Roe' }],
      ['a name of spaces', { relationship: 'other', relationshipText: 'Aunt', name: '\u00a0' }],
    ])('keeps a representative on the page with a 400 for %s, announcing nothing', async (_what, representative) => {
      const { redirect, status, body } = await runJourney(service.url, authorizeUrl(service.url), { username: 'BCNCUser05', password: 'BCNCPSWD05', representative });
      expect(redirect).toBeUndefined();
      expect(status).toBe(400);
      expect(body).toContain('Your full name');
    });

    it('returns access_denied with the state when the member denies', async () => {
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { state: 'xyz' }), { decision: 'deny' });
      expect(redirect?.searchParams.get('error')).toBe('access_denied');
      expect(redirect?.searchParams.get('state')).toBe('xyz');
      expect(redirect?.searchParams.get('code')).toBeNull();
    });

    it('issues a code for aud naming the FHIR base, and none for another aud', async () => {
      const good = await runJourney(service.url, authorizeUrl(service.url, { aud: FHIR_BASE }));
      expect(good.redirect?.searchParams.get('code')).toEqual(expect.any(String));
      const bad = await runJourney(service.url, authorizeUrl(service.url, { aud: 'https://evil.example/fhir' }));
      expect(bad.redirect?.searchParams.get('error')).toBe('invalid_request');
      expect(bad.redirect?.searchParams.get('code')).toBeNull();
    });

    it('shows an error page, never a redirect, for an unknown client or an unregistered redirect URI', async () => {
      for (const params of [{ client_id: 'no-such-client' }, { redirect_uri: 'https://oidcdebugger.com/debug/other' }] as Record<string, string>[]) {
        const response = await fetch(authorizeUrl(service.url, params), { redirect: 'manual' });
        expect(response.status).toBe(400);
        expect(response.headers.get('location')).toBeNull();
        expect(response.headers.get('content-type')).toMatch(/html/);
        const html = await response.text();
        expect(html).toContain('invalid_');
        expect(html).not.toMatch(/at .*\.js:\d+/);
      }
    });

    it('refuses a wrong client secret with invalid_client and never issues tokens', async () => {
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
      const response = await tokenRequest(service.url, {
        grant_type: 'authorization_code',
        code: redirect?.searchParams.get('code') ?? '',
        redirect_uri: SEED_CLIENT.redirectUri,
        client_id: SEED_CLIENT.clientId,
        client_secret: 'wrong-secret',
      });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      expect(response.body.access_token).toBeUndefined();
    });

    it('authenticates with client_secret_basic too', async () => {
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
      const response = await tokenRequest(
        service.url,
        { grant_type: 'authorization_code', code: redirect?.searchParams.get('code') ?? '', redirect_uri: SEED_CLIENT.redirectUri },
        { authorization: `Basic ${Buffer.from(`${SEED_CLIENT.clientId}:${SEED_CLIENT.secret}`).toString('base64')}` },
      );
      expect(response.status).toBe(200);
      expect(response.body.patient).toBe('-20140000000024');
    });
  });

  describe('single-use codes and rotating refresh tokens', () => {
    it('refuses a replayed code and revokes what the first exchange issued', async () => {
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
      const code = redirect?.searchParams.get('code') ?? '';
      const first = (await (await seedTokenRequest(service.url, code)).json()) as Record<string, string>;
      const grantId = String(decodePayload(first.access_token).grant_id);

      const replay = await seedTokenRequest(service.url, code);
      expect(replay.status).toBe(400);
      expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });

      const refresh = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
      expect(refresh.body.error).toBe('invalid_grant');
      const event = await eventually(() => revocationEvents().find((each) => each.grantId === grantId));
      expect(event).toMatchObject({ type: 'authorization.grant.revoked', version: 1, reason: 'code_replayed', clientId: SEED_CLIENT.clientId });
    });

    it('rotates refresh tokens; replaying an old one revokes the grant', async () => {
      const first = await seedTokens();
      const grantId = String(decodePayload(String(first.access_token)).grant_id);
      const refresh = (token: unknown) =>
        tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(token), client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });

      const second = await refresh(first.refresh_token);
      expect(second.status).toBe(200);
      expect(second.headers.get('cache-control')).toBe('no-store');
      expect(second.body).toMatchObject({ token_type: 'Bearer', patient: '-20140000000024' });
      expect(second.body.refresh_token).not.toBe(first.refresh_token);
      expect(decodePayload(String(second.body.access_token)).grant_id).toBe(grantId);

      const replay = await refresh(first.refresh_token);
      expect(replay.body.error).toBe('invalid_grant');
      const afterReplay = await refresh(second.body.refresh_token);
      expect(afterReplay.body.error).toBe('invalid_grant');
      const event = await eventually(() => revocationEvents().find((each) => each.grantId === grantId));
      expect(event.reason).toBe('refresh_token_replayed');
    });

    it('expires codes after the configured lifetime (seed: one hour)', async () => {
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
      const code = redirect?.searchParams.get('code') ?? '';
      const rows: { seconds: number }[] = await service.app
        .get(DataSource)
        .query(`SELECT round(extract(epoch FROM expires_at - now()))::int AS seconds FROM oidc_payload WHERE kind = 'AuthorizationCode' AND id = $1`, [code]);
      expect(rows[0].seconds).toBeGreaterThan(3590);
      expect(rows[0].seconds).toBeLessThanOrEqual(3600);
    });
  });

  describe('PKCE', () => {
    async function publicCode(challenge: string | undefined, method: string | undefined): Promise<URL | undefined> {
      const params: Record<string, string> = { client_id: PUBLIC_CLIENT.clientId, redirect_uri: PUBLIC_CLIENT.redirectUri, scope: 'openid patient/*.read' };
      if (challenge !== undefined) params.code_challenge = challenge;
      if (method !== undefined) params.code_challenge_method = method;
      return (await runJourney(service.url, authorizeUrl(service.url, params))).redirect;
    }

    function exchange(code: string, codeVerifier: string) {
      return tokenRequest(service.url, { grant_type: 'authorization_code', code, redirect_uri: PUBLIC_CLIENT.redirectUri, client_id: PUBLIC_CLIENT.clientId, code_verifier: codeVerifier });
    }

    it('completes S256 for a public client without a secret', async () => {
      const codeVerifier = verifier();
      const redirect = await publicCode(s256(codeVerifier), 'S256');
      const response = await exchange(redirect?.searchParams.get('code') ?? '', codeVerifier);
      expect(response.status).toBe(200);
      expect(response.body.patient).toBe('-20140000000024');
    });

    it.each([
      ['a wrong verifier', () => verifier()],
      ['the challenge itself', (challenge: string) => challenge],
      ['a blank verifier', () => ''],
      ['a verifier too short', () => 'a'.repeat(42)],
    ])('refuses %s', async (_label, wrong) => {
      const codeVerifier = verifier();
      const challenge = s256(codeVerifier);
      const redirect = await publicCode(challenge, 'S256');
      const response = await exchange(redirect?.searchParams.get('code') ?? '', wrong(challenge));
      expect(response.status).toBe(400);
      expect(['invalid_grant', 'invalid_request']).toContain(response.body.error);
      expect(response.body.access_token).toBeUndefined();
    });

    it('requires PKCE from public clients and custom-scheme redirects', async () => {
      const redirect = await publicCode(undefined, undefined);
      expect(redirect?.searchParams.get('error')).toBe('invalid_request');
      expect(redirect?.searchParams.get('error_description')).toMatch(/PKCE/);
    });

    it('accepts plain in the sandbox profile (never advertised)', async () => {
      const codeVerifier = verifier();
      const redirect = await publicCode(codeVerifier, 'plain');
      const response = await exchange(redirect?.searchParams.get('code') ?? '', codeVerifier);
      expect(response.status).toBe(200);
      const wrong = await publicCode(codeVerifier, 'plain');
      expect((await exchange(wrong?.searchParams.get('code') ?? '', verifier())).body.error).toBe('invalid_grant');
    });
  });

  describe('introspection, revocation and userinfo', () => {
    const auth = { client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret };

    async function introspect(token: string): Promise<Record<string, unknown>> {
      const response = await fetch(`${service.url}/fhirmember/sps/oauth/oauth20/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, ...auth }).toString(),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    }

    async function revoke(token: string): Promise<number> {
      const response = await fetch(`${service.url}/fhirmember/sps/oauth/oauth20/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, ...auth }).toString(),
      });
      return response.status;
    }

    function userinfo(token: string) {
      return fetch(`${service.url}/connect/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    }

    it('introspects access and refresh tokens with active, client_id, scope, exp, patient and sub', async () => {
      const tokens = await seedTokens();
      for (const token of [tokens.access_token, tokens.refresh_token]) {
        const body = await introspect(String(token));
        expect(body).toMatchObject({ active: true, client_id: SEED_CLIENT.clientId, patient: '-20140000000024', sub: expect.any(String), exp: expect.any(Number) });
        expect(String(body.scope)).toContain('patient/*.read');
      }
      expect(await introspect('not-a-token')).toEqual({ active: false });
    });

    it('serves userinfo for the access token', async () => {
      const tokens = await seedTokens({ scope: 'openid fhirUser profile patient/*.read' }, { username: 'BCNCUser04', password: 'BCNCPSWD04' });
      const response = await userinfo(String(tokens.access_token));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        sub: decodePayload(String(tokens.access_token)).sub,
        preferred_username: 'BCNCUser04',
        given_name: 'Jane',
        family_name: 'Doe',
        name: 'Jane Doe',
        patient: '-20140000008325',
        fhirUser: 'Patient/-20140000008325',
      });
      const anonymous = await fetch(`${service.url}/connect/userinfo`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: 'invalid_token' });
    });

    it('revoking a refresh token revokes its grant: tokens go inactive and an event is published', async () => {
      const tokens = await seedTokens();
      const grantId = String(decodePayload(String(tokens.access_token)).grant_id);
      expect(await revoke(String(tokens.refresh_token))).toBe(200);
      expect(await introspect(String(tokens.refresh_token))).toEqual({ active: false });
      expect(await introspect(String(tokens.access_token))).toEqual({ active: false });
      expect((await userinfo(String(tokens.access_token))).status).toBe(401);
      const event = await eventually(() => revocationEvents().find((each) => each.grantId === grantId));
      expect(event).toMatchObject({ reason: 'client_revoked', clientId: SEED_CLIENT.clientId });
      expect(Date.parse(event.expiresAt)).toBeGreaterThan(Date.now());
    });

    it('revoking an access token revokes its grant too', async () => {
      const tokens = await seedTokens();
      const grantId = String(decodePayload(String(tokens.access_token)).grant_id);
      expect(await revoke(String(tokens.access_token))).toBe(200);
      const refresh = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token), ...auth });
      expect(refresh.body.error).toBe('invalid_grant');
      const event = await eventually(() => revocationEvents().find((each) => each.grantId === grantId));
      expect(event.reason).toBe('client_revoked');
    });

    it('does not let another client introspect or revoke a token', async () => {
      const tokens = await seedTokens();
      const other = await fetch(`${service.url}/fhirmember/sps/oauth/oauth20/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: String(tokens.access_token), client_id: PUBLIC_CLIENT.clientId }).toString(),
      });
      expect(await other.json()).toEqual({ active: false });
      expect(await introspect(String(tokens.access_token))).toMatchObject({ active: true });
    });
  });

  describe('CORS on the token endpoint', () => {
    it('answers browser apps (public clients) from their redirect origin, and no confidential client', async () => {
      await service.publishClient('spa-app', {
        status: 'approved',
        client: { name: 'Browser App', clientType: 'public', redirectUris: ['https://spa.example/callback'], secretHash: null, allowedScopes: [] },
      });
      const attempt = (clientId: string, origin: string) =>
        fetch(`${service.url}/fhirmember/sps/oauth/oauth20/token`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: 'unknown', client_id: clientId, code_verifier: 'x'.repeat(43), redirect_uri: 'https://spa.example/callback' }).toString(),
        });
      expect((await attempt('spa-app', 'https://spa.example')).headers.get('access-control-allow-origin')).toBe('https://spa.example');
      expect((await attempt('spa-app', 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
      const confidential = await attempt(SEED_CLIENT.clientId, 'https://oidcdebugger.com');
      expect(confidential.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('client credentials', () => {
    it('issues tokens to system clients only', async () => {
      const secret = 'system-client-secret-1234567890';
      const argon2 = await import('argon2');
      await service.publishClient('payer-system-1', {
        kind: 'payer',
        status: 'approved',
        client: { name: 'Payer Automation', clientType: 'confidential', redirectUris: ['https://payer.example/cb'], secretHash: await argon2.hash(secret, { type: argon2.argon2id }), allowedScopes: [], system: true },
      });
      const issued = await tokenRequest(service.url, { grant_type: 'client_credentials', client_id: 'payer-system-1', client_secret: secret, scope: 'system/*.read' });
      expect(issued.status).toBe(200);
      expect(issued.body).toMatchObject({ token_type: 'Bearer', scope: 'system/*.read' });
      expect(decodePayload(String(issued.body.access_token))).toMatchObject({ client_id: 'payer-system-1', aud: FHIR_BASE });

      const refused = await tokenRequest(service.url, { grant_type: 'client_credentials', client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('unauthorized_client');
    });
  });

  describe('member login', () => {
    it('never says which of user name or password was wrong, and throttles repeated failures', async () => {
      const attempt = async (username: string, password: string) => {
        const jar = new CookieJar();
        const start = await runJourney(service.url, authorizeUrl(service.url), { username, password }, jar);
        return start;
      };
      const wrongPassword = await attempt('BCNCUser06', 'nope');
      const unknownUser = await attempt('NoSuchUser', 'BCNCPSWD06');
      expect(wrongPassword.status).toBe(401);
      expect(unknownUser.status).toBe(401);
      const message = (html?: string) => /role="alert"[^>]*>([^<]+)</.exec(html ?? '')?.[1];
      expect(message(wrongPassword.body)).toBe('The user name or password is not correct.');
      expect(message(unknownUser.body)).toBe(message(wrongPassword.body));

      for (let i = 0; i < 4; i++) await attempt('BCNCUser06', 'nope');
      const throttled = await attempt('BCNCUser06', 'BCNCPSWD06');
      expect(throttled.status).toBe(429);
      expect(throttled.redirect).toBeUndefined();
    });
  });

  describe('Prometheus metrics', () => {
    it('counts the tokens each grant issues, refusals by error code and revocations by reason', async () => {
      const issued = (text: string, grant_type: string, token_type: string) => metricValue(text, 'oauth_tokens_issued_total', { grant_type, token_type }) ?? 0;
      const before = await scrapeMetrics(service.metricsUrl);

      const first = await seedTokens();
      const refresh = (token: unknown) =>
        tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(token), client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
      const second = await refresh(first.refresh_token);
      expect(second.status).toBe(200);
      // Replaying the rotated refresh token is refused and revokes the grant (before the answer).
      expect((await refresh(first.refresh_token)).body.error).toBe('invalid_grant');

      const after = await scrapeMetrics(service.metricsUrl);
      for (const tokenType of ['access_token', 'refresh_token', 'id_token']) {
        expect([tokenType, issued(after, 'authorization_code', tokenType) - issued(before, 'authorization_code', tokenType)]).toEqual([tokenType, 1]);
        expect([tokenType, issued(after, 'refresh_token', tokenType) - issued(before, 'refresh_token', tokenType)]).toEqual([tokenType, typeof second.body[tokenType] === 'string' ? 1 : 0]);
      }
      const refused = (text: string) => metricValue(text, 'oauth_token_errors_total', { grant_type: 'refresh_token', error: 'invalid_grant' }) ?? 0;
      expect(refused(after) - refused(before)).toBe(1);
      const revoked = (text: string) => metricValue(text, 'oauth_grant_revocations_total', { reason: 'refresh_token_replayed' }) ?? 0;
      expect(revoked(after) - revoked(before)).toBe(1);
      expect(after).not.toContain(SEED_CLIENT.clientId);
    });

    it('shows its own series with their help text, counters at 0 before any use', async () => {
      const text = await scrapeMetrics(service.metricsUrl);
      for (const name of ['oauth_tokens_issued_total', 'oauth_token_errors_total', 'oauth_grant_revocations_total', 'kafka_consumer_lag', 'outbox_pending_events']) {
        expect(text).toContain(`# HELP ${name} `);
      }
      expect(metricValue(text, 'oauth_grant_revocations_total', { reason: 'client_terminated' })).toBe(0);
      expect(metricValue(text, 'oauth_tokens_issued_total', { grant_type: 'client_credentials', token_type: 'access_token' })).toBeDefined();
      expect(metricValue(text, 'outbox_pending_events')).toBeGreaterThanOrEqual(0);
    });
  });
});
