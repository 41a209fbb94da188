import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AccessTokenRejected, AccessTokenVerifier } from './access-token.verifier';

const ISSUER = 'https://auth.plan.example';
const AUDIENCE = 'https://fhir.plan.example/fhir/R4';

describe(AccessTokenVerifier.name, () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let verifier: AccessTokenVerifier;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    verifier = new AccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [jwk] }) });
  });

  interface Variant {
    typ?: string;
    alg?: string;
    key?: CryptoKey | Uint8Array;
    claims?: Record<string, unknown>;
    omit?: string[];
  }

  async function token(variant: Variant = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE, sub: 'member-1', client_id: 'app-1', scope: 'patient/*.read', iat: now, exp: now + 300, jti: 'jti-1', ...variant.claims };
    for (const name of variant.omit ?? []) delete claims[name];
    return new SignJWT(claims).setProtectedHeader({ alg: variant.alg ?? 'RS256', typ: variant.typ ?? 'at+jwt', kid: 'k1' }).sign(variant.key ?? privateKey);
  }

  it('returns the claims of a valid RFC 9068 token', async () => {
    await expect(verifier.verify(await token())).resolves.toMatchObject({ sub: 'member-1', client_id: 'app-1', scope: 'patient/*.read' });
    await expect(verifier.verify(await token({ typ: 'application/at+jwt' }))).resolves.toMatchObject({ sub: 'member-1' });
  });

  it('verifies ES256 access tokens against a JWKS that also holds RS256 keys, as the authorization server publishes it', async () => {
    const ec = await generateKeyPair('ES256');
    const rsa = await generateKeyPair('RS256');
    const keys = createLocalJWKSet({
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'id-token-key', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'access-token-key', alg: 'ES256', use: 'sig' },
      ],
    });
    const mixed = new AccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys });
    const now = Math.floor(Date.now() / 1000);
    const sign = (kid: string) =>
      new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'member-1', client_id: 'app-1', scope: 'patient/*.read', iat: now, exp: now + 300, jti: 'jti-es' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
        .sign(ec.privateKey);
    await expect(mixed.verify(await sign('access-token-key'))).resolves.toMatchObject({ jti: 'jti-es' });
    // The same signature presented under the RSA key's kid finds no matching key.
    await expect(mixed.verify(await sign('id-token-key'))).rejects.toBeInstanceOf(AccessTokenRejected);
  });

  it.each<[string, Variant | (() => Promise<string>), RegExp]>([
    ['an expired token', { claims: { exp: Math.floor(Date.now() / 1000) - 10 } }, /expired/],
    ['another audience', { claims: { aud: 'https://other.example' } }, /aud/],
    ['another issuer', { claims: { iss: 'https://evil.example' } }, /iss/],
    ['an ID token (typ JWT)', { typ: 'JWT' }, /typ/],
    ['a token signed by another key', () => token({ key: otherKey }), /signature|format/],
    ['an HS256 token', { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) }, /algorithm/],
    ['a token without client_id', { omit: ['client_id'] }, /client_id/],
    ['a token without jti', { omit: ['jti'] }, /jti/],
    ['a token without iat', { omit: ['iat'] }, /iat/],
    ['a non-string scope', { claims: { scope: ['patient/*.read'] } }, /scope/],
    ['garbage', async () => 'not.a.jwt', /signature|format/],
    ['an empty string', async () => '', /signature|format/],
  ])('refuses %s, saying why', async (_label, variant, reason) => {
    const raw = typeof variant === 'function' ? await variant() : await token(variant);
    const refusal = await verifier.verify(raw).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(AccessTokenRejected);
    expect((refusal as AccessTokenRejected).reason).toMatch(reason);
  });
});
