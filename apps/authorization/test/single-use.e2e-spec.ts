import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { runJourney } from './support/member-journey';
import { authorizeUrl, decodePayload, eventually, startTestService, tokenRequest, type TestService } from './support/test-service';

// A public client: no argon2 secret check in front of the grant, so parallel requests reach the
// code and the refresh token as close together as clients can make them.
const PUBLIC_CLIENT = { clientId: 'native-race-app', redirectUri: 'com.example.race:/callback' };
const PARALLEL = 10;

describe('single use of codes and refresh tokens under concurrency', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
    await service.publishClient(PUBLIC_CLIENT.clientId, {
      status: 'approved',
      client: { name: 'Race App', clientType: 'public', redirectUris: [PUBLIC_CLIENT.redirectUri], secretHash: null, allowedScopes: [] },
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  async function freshCode(): Promise<{ code: string; codeVerifier: string }> {
    const codeVerifier = randomBytes(48).toString('base64url');
    const { redirect } = await runJourney(
      service.url,
      authorizeUrl(service.url, {
        client_id: PUBLIC_CLIENT.clientId,
        redirect_uri: PUBLIC_CLIENT.redirectUri,
        scope: 'openid offline_access patient/*.read',
        code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
        code_challenge_method: 'S256',
      }),
    );
    const code = redirect?.searchParams.get('code');
    if (!code) throw new Error(`no code in ${redirect?.toString()}`);
    return { code, codeVerifier };
  }

  function exchange(code: string, codeVerifier: string) {
    return tokenRequest(service.url, { grant_type: 'authorization_code', code, redirect_uri: PUBLIC_CLIENT.redirectUri, client_id: PUBLIC_CLIENT.clientId, code_verifier: codeVerifier });
  }

  function refresh(refreshToken: string) {
    return tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: PUBLIC_CLIENT.clientId });
  }

  async function introspect(token: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${service.url}/fhirmember/sps/oauth/oauth20/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: PUBLIC_CLIENT.clientId }).toString(),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  /**
   * The provider's Grant, which every later use of the grant's tokens needs. (A refresh token the
   * winner stores after the loser's revocation may remain until it expires, unusable without it.)
   */
  function providerGrant(grantId: string): Promise<unknown[]> {
    return service.app.get(DataSource).query(`SELECT id FROM oidc_payload WHERE kind = 'Grant' AND id = $1`, [grantId]);
  }

  it.each([1, 2, 3])('round %i: ten parallel exchanges of one code yield one token set, and the replay revokes the grant', async () => {
    const { code, codeVerifier } = await freshCode();
    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => exchange(code, codeVerifier)));

    const won = responses.filter((response) => response.status === 200);
    const lost = responses.filter((response) => response.status !== 200);
    expect(won).toHaveLength(1);
    for (const response of lost) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'invalid_grant' });
    }

    // RFC 6749 §4.1.2: what the one exchange issued is revoked, everywhere.
    const grantId = String(decodePayload(String(won[0].body.access_token)).grant_id);
    const event = await eventually(() => service.revocations.find((each) => each.grantId === grantId), 10_000);
    expect(event.reason).toBe('code_replayed');
    expect((await refresh(String(won[0].body.refresh_token))).body.error).toBe('invalid_grant');
    expect(await introspect(String(won[0].body.access_token))).toEqual({ active: false });
    expect(await introspect(String(won[0].body.refresh_token))).toEqual({ active: false });
    expect(await providerGrant(grantId)).toEqual([]);
  });

  it.each([1, 2, 3])('round %i: ten parallel refreshes of one refresh token yield one new chain, and the replay revokes it', async () => {
    const { code, codeVerifier } = await freshCode();
    const first = await exchange(code, codeVerifier);
    expect(first.status).toBe(200);
    const grantId = String(decodePayload(String(first.body.access_token)).grant_id);

    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => refresh(String(first.body.refresh_token))));

    const won = responses.filter((response) => response.status === 200);
    const lost = responses.filter((response) => response.status !== 200);
    expect(won).toHaveLength(1);
    for (const response of lost) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'invalid_grant' });
    }

    // No fork survives: the winner's new refresh token dies with the grant (RFC 9700 §4.14.2).
    const event = await eventually(() => service.revocations.find((each) => each.grantId === grantId), 10_000);
    expect(event.reason).toBe('refresh_token_replayed');
    expect((await refresh(String(won[0].body.refresh_token))).body.error).toBe('invalid_grant');
    expect(await introspect(String(won[0].body.refresh_token))).toEqual({ active: false });
    expect(await providerGrant(grantId)).toEqual([]);
  });

  it('a single exchange and a single refresh still work and revoke nothing', async () => {
    const { code, codeVerifier } = await freshCode();
    const first = await exchange(code, codeVerifier);
    expect(first.status).toBe(200);
    const second = await refresh(String(first.body.refresh_token));
    expect(second.status).toBe(200);
    const third = await refresh(String(second.body.refresh_token));
    expect(third.status).toBe(200);
    const grantId = String(decodePayload(String(third.body.access_token)).grant_id);
    expect(await introspect(String(third.body.refresh_token))).toMatchObject({ active: true });
    expect(service.revocations.find((each) => each.grantId === grantId)).toBeUndefined();
  });
});
