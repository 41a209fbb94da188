import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import * as argon2 from 'argon2';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { createAuthorizationApp } from '../src/authorization.service-app';
import { AuthorizationConfig } from '../src/authorization.config';
import { OidcProviderHost } from '../src/oidc/oidc-provider.host';
import type { PublicJwk } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { decodePayload, startTestService, tokenRequest, type TestService } from './support/test-service';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_PATH = '/fhirmember/sps/oauth/oauth20/token';

interface SigningKey {
  privateKey: KeyObject;
  publicJwk: PublicJwk;
  alg: 'ES384' | 'RS384';
  kid: string;
}

function signingKey(alg: 'ES384' | 'RS384', kid: string): SigningKey {
  const pair = alg === 'ES384' ? generateKeyPairSync('ec', { namedCurve: 'P-384' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey, publicJwk: { ...(pair.publicKey.export({ format: 'jwk' }) as PublicJwk), kid, alg, use: 'sig' }, alg, kid };
}

/** A SMART Backend Services client assertion (RFC 7523), with any claim overridable. */
async function assertion(key: SigningKey, clientId: string, audience: string, claims: { exp?: number; jti?: string; aud?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(claims.aud ?? audience)
    .setJti(claims.jti ?? randomUUID())
    .setExpirationTime(claims.exp ?? now + 240)
    .sign(key.privateKey);
}

function backendTokenRequest(base: string, clientAssertion: string, scope = 'system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs') {
  return tokenRequest(base, { grant_type: 'client_credentials', scope, client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion });
}

const payerClient = (keys: Record<string, unknown>) => ({
  kind: 'payer' as const,
  client: { name: 'Carolina Mutual', system: true, allowedScopes: [], redirectUris: ['https://carolina-mutual.example/callback'], secretHash: null, ...keys },
});

/**
 * SMART App Launch 2 Backend Services at the token endpoint: a payer whose public keys reached
 * the authorization server on its client event signs a client assertion (private_key_jwt) and
 * gets a system-scoped token; everything else about the assertion is invalid_client.
 * https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html
 */
describe('SMART Backend Services (private_key_jwt)', () => {
  let service: TestService;
  let tokenUrl: string;
  const es384 = signingKey('ES384', 'payer-ec-1');
  const rs384 = signingKey('RS384', 'payer-rsa-1');
  const stranger = signingKey('ES384', 'payer-ec-1');
  const PAYER = 'CarolinaMutualPayer1';

  beforeAll(async () => {
    service = await startTestService();
    tokenUrl = `${service.url}${TOKEN_PATH}`;
    await service.publishClient(PAYER, payerClient({ jwks: { keys: [es384.publicJwk, rs384.publicJwk] } }));
  });

  afterAll(async () => {
    await service?.close();
  });

  it('advertises asymmetric client authentication in both discovery documents', async () => {
    const smart = (await (await fetch(`${service.url}/.well-known/smart-configuration`)).json()) as Record<string, string[]>;
    const openid = (await (await fetch(`${service.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(smart.capabilities).toContain('client-confidential-asymmetric');
    for (const document of [smart, openid]) {
      expect(document.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
      expect(document.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS384', 'ES384']);
    }
    expect(smart.scopes_supported).toEqual(expect.arrayContaining(['system/Patient.rs', 'system/ExplanationOfBenefit.rs', 'system/Group.rs']));
  });

  it.each([es384, rs384])('issues a system-scoped token for an assertion signed $alg', async (key) => {
    const response = await backendTokenRequest(service.url, await assertion(key, PAYER, tokenUrl));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', scope: 'system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs' });
    expect(response.body.refresh_token).toBeUndefined();
    const claims = decodePayload(String(response.body.access_token));
    expect(claims).toMatchObject({ client_id: PAYER, scope: 'system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs' });
    expect(claims.patient).toBeUndefined();
  });

  it('grants no patient or user scopes to a backend client', async () => {
    const response = await backendTokenRequest(service.url, await assertion(es384, PAYER, tokenUrl), 'system/Patient.rs patient/*.rs user/*.rs openid');
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('system/Patient.rs');
  });

  const refusals: [string, () => Promise<string>][] = [
    ['a key the payer never registered', () => assertion(stranger, PAYER, tokenUrl)],
    ['an expired assertion', () => assertion(es384, PAYER, tokenUrl, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['an assertion living more than five minutes', () => assertion(es384, PAYER, tokenUrl, { exp: Math.floor(Date.now() / 1000) + 301 + 5 })],
    ['an audience other than the token endpoint', () => assertion(es384, PAYER, tokenUrl, { aud: service.url })],
    ['an audience on another host', () => assertion(es384, PAYER, tokenUrl, { aud: 'https://elsewhere.example/token' })],
    ['an issuer other than the client', () => assertion(es384, 'SomeoneElse', tokenUrl)],
    ['an unsigned assertion', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: PAYER, sub: PAYER, aud: tokenUrl, jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`],
  ];
  it.each(refusals)('refuses %s as invalid_client', async (_label, make) => {
    const response = await backendTokenRequest(service.url, await make());
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(response.body.access_token).toBeUndefined();
  });

  it('accepts an assertion living just under five minutes: the bound is not an off-by-one', async () => {
    const response = await backendTokenRequest(service.url, await assertion(es384, PAYER, tokenUrl, { exp: Math.floor(Date.now() / 1000) + 295 }));
    expect(response.status).toBe(200);
  });

  it.each(['not.a.jwt', 'a'.repeat(5000), '\u0000', '...'])('answers an undecodable assertion %# with 400, naming no client', async (value) => {
    const response = await backendTokenRequest(service.url, value);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('refuses an assertion signed RS256 (only RS384 and ES384 are accepted)', async () => {
    const rs256 = { ...rs384, alg: 'RS256' as never };
    const response = await backendTokenRequest(service.url, await assertion(rs256, PAYER, tokenUrl));
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });

  it('accepts an assertion once: a replay is invalid_client', async () => {
    const signed = await assertion(es384, PAYER, tokenUrl);
    expect((await backendTokenRequest(service.url, signed)).status).toBe(200);
    const replay = await backendTokenRequest(service.url, signed);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
  });

  it('accepts an assertion once even when it is sent many times at once', async () => {
    const signed = await assertion(es384, PAYER, tokenUrl);
    const responses = await Promise.all(Array.from({ length: 8 }, () => backendTokenRequest(service.url, signed)));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
  });

  it('decides single use in one statement: of many racing checks of one jti, exactly one passes', async () => {
    const replay = service.app.get(OidcProviderHost).provider.ReplayDetection;
    const exp = Math.floor(Date.now() / 1000) + 120;
    const jti = randomUUID();
    const verdicts = await Promise.all(Array.from({ length: 24 }, () => replay.unique(PAYER, jti, exp)));
    expect(verdicts.filter(Boolean)).toHaveLength(1);
  });

  it('remembers used assertions in PostgreSQL, so another instance on the same database refuses a replay', async () => {
    const signed = await assertion(es384, PAYER, tokenUrl);
    expect((await backendTokenRequest(service.url, signed)).status).toBe(200);
    const rows: { expires_at: Date }[] = await service.app.get(DataSource).query(`SELECT expires_at FROM oidc_payload WHERE kind = 'ReplayDetection'`);
    expect(rows.length).toBeGreaterThan(0);

    // A second instance: same database and issuer (the assertion names the token endpoint), a fresh process state.
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: service.database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: service.url, CLIENT_STATUS_MAX_STALENESS_SECONDS: '0' });
    const other = await createAuthorizationApp({ ...config, DATABASE_URL: service.database.url }, { logger: false, eventBus: service.bus });
    await other.listen(0, '127.0.0.1');
    try {
      const otherUrl = `http://127.0.0.1:${((other.getHttpServer() as Server).address() as AddressInfo).port}`;
      const replay = await tokenRequest(otherUrl, { grant_type: 'client_credentials', scope: 'system/Patient.rs', client_assertion_type: ASSERTION_TYPE, client_assertion: signed });
      expect(replay.status).toBe(401);
      expect(replay.body.error).toBe('invalid_client');
    } finally {
      await other.close();
    }
  });

  it('refuses a client_secret from a payer that registered keys', async () => {
    const response = await tokenRequest(service.url, { grant_type: 'client_credentials', scope: 'system/Patient.rs', client_id: PAYER, client_secret: 'anything' });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });

  it('follows a key rotation announced on the client event', async () => {
    const next = signingKey('ES384', 'payer-ec-2');
    await service.publishClient(PAYER, { client: { jwks: { keys: [next.publicJwk] } } });
    expect((await backendTokenRequest(service.url, await assertion(next, PAYER, tokenUrl))).status).toBe(200);
    const old = await backendTokenRequest(service.url, await assertion(es384, PAYER, tokenUrl));
    expect(old.status).toBe(401);
    await service.publishClient(PAYER, { client: { jwks: { keys: [es384.publicJwk, rs384.publicJwk] } } });
  });

  it('refuses a suspended payer', async () => {
    const suspended = 'SuspendedPayer000001';
    await service.publishClient(suspended, payerClient({ jwks: { keys: [es384.publicJwk] } }));
    expect((await backendTokenRequest(service.url, await assertion(es384, suspended, tokenUrl))).status).toBe(200);
    await service.publishClient(suspended, { status: 'suspended' });
    const refused = await backendTokenRequest(service.url, await assertion(es384, suspended, tokenUrl));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
  });

  describe('keys published at a JWKS URL', () => {
    let server: Server;
    let served: Record<string, unknown>;

    beforeAll(async () => {
      served = { keys: [es384.publicJwk] };
      server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(served));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('fetches them and verifies the assertion', async () => {
      const remote = 'RemoteKeysPayer00001';
      await service.publishClient(remote, payerClient({ jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` }));
      const response = await backendTokenRequest(service.url, await assertion(es384, remote, tokenUrl));
      expect(response.status).toBe(200);
      const wrong = await backendTokenRequest(service.url, await assertion(stranger, remote, tokenUrl));
      expect(wrong.status).toBe(401);
    });

    it.each([
      ['unreachable', async () => 'http://127.0.0.1:9/jwks.json'],
      ['not a key set', async () => { served = 'not json' as never; return `http://127.0.0.1:${(server.address() as AddressInfo).port}/broken.json`; }],
      ['holding a private key', async () => { served = { keys: [{ ...es384.privateKey.export({ format: 'jwk' }), kid: 'payer-ec-1' }] }; return `http://127.0.0.1:${(server.address() as AddressInfo).port}/private.json`; }],
    ])('answers 401, never 500, when the key URL is %s', async (_label, url) => {
      const clientId = `BrokenKeys${randomBytes(5).toString('hex')}`;
      await service.publishClient(clientId, payerClient({ jwksUri: await url() }));
      const response = await backendTokenRequest(service.url, await assertion(es384, clientId, tokenUrl));
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      served = { keys: [es384.publicJwk] };
    });
  });
});

describe('payers in the production profile', () => {
  let service: TestService;
  const key = signingKey('ES384', 'prod-1');
  const SECRET = 'payer-shared-secret-0001';

  beforeAll(async () => {
    service = await startTestService({ PROFILE: 'production', COOKIE_KEYS: randomBytes(32).toString('base64url'), SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') });
    const secretHash = await argon2.hash(SECRET, { type: argon2.argon2id });
    await service.publishClient('SecretOnlyPayer00001', payerClient({ secretHash }));
    await service.publishClient('KeyedPayer0000000001', payerClient({ secretHash, jwks: { keys: [key.publicJwk] } }));
  });

  afterAll(async () => {
    await service?.close();
  });

  it('refuses a payer client_secret, by basic or post', async () => {
    for (const clientId of ['SecretOnlyPayer00001', 'KeyedPayer0000000001']) {
      const post = await tokenRequest(service.url, { grant_type: 'client_credentials', scope: 'system/Patient.rs', client_id: clientId, client_secret: SECRET });
      const basic = await tokenRequest(
        service.url,
        { grant_type: 'client_credentials', scope: 'system/Patient.rs' },
        { authorization: `Basic ${Buffer.from(`${clientId}:${SECRET}`).toString('base64')}` },
      );
      for (const response of [post, basic]) {
        expect(response.status).toBe(401);
        expect(response.body.error).toBe('invalid_client');
      }
    }
  });

  it('accepts the same payer signing with its registered key', async () => {
    const response = await backendTokenRequest(service.url, await assertion(key, 'KeyedPayer0000000001', `${service.url}${TOKEN_PATH}`));
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs');
  });
});
