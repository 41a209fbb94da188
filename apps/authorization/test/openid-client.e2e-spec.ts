import * as client from 'openid-client';
import { runJourney } from './support/member-journey';
import { SEED_CLIENT, startTestService, type TestService } from './support/test-service';

/**
 * A relying party written with the certified `openid-client` package (OpenID Foundation
 * certified RP library) against our server: discovery, authorization code + PKCE S256 + nonce,
 * ID token validation, UserInfo, refresh, introspection and revocation. The server is reached by
 * its issuer URL (127.0.0.1) and, through a well-known URL, by another name for the same host
 * (localhost): what it publishes must name its issuer either way.
 */
describe('openid-client against the authorization server', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });

  afterAll(async () => {
    await service?.close();
  });

  const discoveries: [string, () => URL][] = [
    ['the issuer URL (127.0.0.1)', () => new URL(service.url)],
    ['the discovery document on localhost', () => new URL(`${service.url.replace('127.0.0.1', 'localhost')}/.well-known/openid-configuration`)],
  ];

  it.each(discoveries)('completes the code flow with PKCE and nonce, userinfo, refresh, introspection and revocation, discovered at %s', async (_name, server) => {
    const config = await client.discovery(server(), SEED_CLIENT.clientId, SEED_CLIENT.secret, client.ClientSecretPost(SEED_CLIENT.secret), {
      execute: [client.allowInsecureRequests],
    });
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(service.url);
    for (const endpoint of [metadata.authorization_endpoint, metadata.token_endpoint, metadata.userinfo_endpoint, metadata.jwks_uri, metadata.introspection_endpoint, metadata.revocation_endpoint]) {
      expect(endpoint?.startsWith(`${service.url}/`)).toBe(true);
    }

    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: SEED_CLIENT.redirectUri,
      scope: 'openid fhirUser profile offline_access patient/*.read',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const { redirect } = await runJourney(service.url, authorizationUrl.href, { username: 'BCNCUser04', password: 'BCNCPSWD04' });
    expect(redirect).toBeDefined();

    // ID token validation: signature by the published key, iss, aud, exp, nonce, at_hash.
    const tokens = await client.authorizationCodeGrant(config, redirect as URL, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.patient).toBe('-20140000008325');
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'profile', 'offline_access', 'patient/*.read']));
    const idClaims = tokens.claims();
    expect(idClaims).toMatchObject({ iss: service.url, aud: SEED_CLIENT.clientId, nonce, fhirUser: 'Patient/-20140000008325' });

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims?.sub as string);
    expect(userinfo).toMatchObject({ sub: idClaims?.sub, patient: '-20140000008325', fhirUser: 'Patient/-20140000008325', name: 'Jane Doe' });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.patient).toBe('-20140000008325');
    expect(refreshed.claims()?.sub).toBe(idClaims?.sub);

    expect(await client.tokenIntrospection(config, refreshed.refresh_token as string)).toMatchObject({ active: true, client_id: SEED_CLIENT.clientId, patient: '-20140000008325' });
    expect(await client.tokenIntrospection(config, refreshed.access_token)).toMatchObject({ active: true, client_id: SEED_CLIENT.clientId });

    // RFC 7009: revoking the refresh token ends the grant, its access token included.
    await client.tokenRevocation(config, refreshed.refresh_token as string);
    expect(await client.tokenIntrospection(config, refreshed.refresh_token as string)).toMatchObject({ active: false });
    expect(await client.tokenIntrospection(config, refreshed.access_token)).toMatchObject({ active: false });
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token as string)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
