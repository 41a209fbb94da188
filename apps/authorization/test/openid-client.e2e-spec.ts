import * as client from 'openid-client';
import { runJourney } from './support/member-journey';
import { SEED_CLIENT, startTestService, type TestService } from './support/test-service';

/**
 * A relying party written with the certified `openid-client` package (OpenID Foundation
 * certified RP library) against our server: discovery, authorization code + PKCE S256,
 * ID token validation, refresh and UserInfo.
 */
describe('openid-client against the authorization server', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('completes discovery, authorization code with PKCE, refresh and userinfo', async () => {
    const config = await client.discovery(new URL(service.url), SEED_CLIENT.clientId, SEED_CLIENT.secret, client.ClientSecretPost(SEED_CLIENT.secret), {
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().issuer).toBe(service.url);

    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: SEED_CLIENT.redirectUri,
      scope: 'openid fhirUser profile offline_access patient/*.read',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
    });
    const { redirect } = await runJourney(service.url, authorizationUrl.href, { username: 'BCNCUser04', password: 'BCNCPSWD04' });
    expect(redirect).toBeDefined();

    const tokens = await client.authorizationCodeGrant(config, redirect as URL, { pkceCodeVerifier: codeVerifier, expectedState: state });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.patient).toBe('-20140000008325');
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'profile', 'offline_access', 'patient/*.read']));
    const idClaims = tokens.claims();
    expect(idClaims).toMatchObject({ iss: service.url, aud: SEED_CLIENT.clientId, fhirUser: 'Patient/-20140000008325' });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.patient).toBe('-20140000008325');

    const userinfo = await client.fetchUserInfo(config, refreshed.access_token, idClaims?.sub as string);
    expect(userinfo).toMatchObject({ sub: idClaims?.sub, patient: '-20140000008325', fhirUser: 'Patient/-20140000008325', name: 'Jane Doe' });
  });
});
