import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { jwksUriProblem, readPublicJwks } from './client-keys';

function jwkOf(options: object, type: 'rsa' | 'ec'): { publicJwk: JsonWebKey; privateJwk: JsonWebKey } {
  const pair = generateKeyPairSync(type as 'rsa', options as never) as unknown as { publicKey: KeyObject; privateKey: KeyObject };
  return { publicJwk: pair.publicKey.export({ format: 'jwk' }), privateJwk: pair.privateKey.export({ format: 'jwk' }) };
}

const rsa2048 = jwkOf({ modulusLength: 2048 }, 'rsa');
const rsa1024 = jwkOf({ modulusLength: 1024 }, 'rsa');
const p384 = jwkOf({ namedCurve: 'P-384' } as never, 'ec');
const p256 = jwkOf({ namedCurve: 'P-256' } as never, 'ec');
const secp256k1 = jwkOf({ namedCurve: 'secp256k1' } as never, 'ec');

describe('readPublicJwks', () => {
  it('accepts RSA 2048 and EC P-384/P-256 public keys and keeps only their public members', () => {
    const result = readPublicJwks({
      keys: [
        { ...rsa2048.publicJwk, kid: 'rsa-1', alg: 'RS384', use: 'sig' },
        { ...p384.publicJwk, kid: 'ec-1', alg: 'ES384', key_ops: ['verify'] },
        { ...p256.publicJwk, kid: 'ec-2' },
      ],
    });
    expect(result).toEqual({
      ok: true,
      jwks: {
        keys: [
          { kty: 'RSA', n: rsa2048.publicJwk.n, e: 'AQAB', kid: 'rsa-1', alg: 'RS384', use: 'sig' },
          { kty: 'EC', crv: 'P-384', x: p384.publicJwk.x, y: p384.publicJwk.y, kid: 'ec-1', alg: 'ES384', key_ops: ['verify'] },
          { kty: 'EC', crv: 'P-256', x: p256.publicJwk.x, y: p256.publicJwk.y, kid: 'ec-2' },
        ],
      },
    });
  });

  it.each([
    ['an RSA private key', { keys: [rsa2048.privateJwk] }, /private key material \(d, p, q, dp, dq, qi\)/],
    ['an EC private key', { keys: [p384.privateJwk] }, /private key material \(d\)/],
    ['a symmetric key', { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }, /private key material \(k\)/],
    ['an RSA key under 2048 bits', { keys: [rsa1024.publicJwk] }, /2048 to 8192 bits \(it has 1024\)/],
    ['a curve other than P-256/P-384', { keys: [secp256k1.publicJwk] }, /crv must be P-256 or P-384/],
    ['an EC coordinate of the wrong size', { keys: [{ ...p384.publicJwk, x: p256.publicJwk.x }] }, /x must be 48 bytes/],
    ['an algorithm that does not fit the key', { keys: [{ ...p256.publicJwk, alg: 'ES384' }] }, /alg ES384 does not fit a P-256 key/],
    ['an encryption key', { keys: [{ ...p384.publicJwk, use: 'enc' }] }, /use must be "sig"/],
    ['an X.509 chain', { keys: [{ ...p384.publicJwk, x5c: ['MII'] }] }, /X\.509/],
    ['a repeated kid', { keys: [{ ...p384.publicJwk, kid: 'a' }, { ...p256.publicJwk, kid: 'a' }] }, /repeats another key's kid/],
    ['an empty key set', { keys: [] }, /1 to 10 keys/],
    ['eleven keys', { keys: Array.from({ length: 11 }, () => p384.publicJwk) }, /1 to 10 keys/],
    ['keys of the wrong JSON type', { keys: 'abc' }, /1 to 10 keys/],
    ['a key that is not an object', { keys: [42] }, /keys\.0 must be an object/],
    ['a NUL byte in a kid', { keys: [{ ...p384.publicJwk, kid: 'a\u0000b' }] }, /kid must be a string/],
    ['non-base64url coordinates', { keys: [{ ...p384.publicJwk, x: 'ä'.repeat(64) }] }, /x must be base64url/],
    ['an unknown member', { keys: [p384.publicJwk], extra: 1 }, /jwks\.extra is not a JWKS member/],
    ['an oversized set', { keys: [{ ...p384.publicJwk, kid: 'k' }], padding: 'x'.repeat(40_000) }, /at most 32768 bytes/],
  ])('refuses %s', (_label, value, problem) => {
    const result = readPublicJwks(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.join('\n')).toMatch(problem);
  });

  it('never echoes private key values in its problems', () => {
    const result = readPublicJwks({ keys: [rsa2048.privateJwk] });
    expect(JSON.stringify(result)).not.toContain(String(rsa2048.privateJwk.d));
  });

  it.each([null, 'text', [], 12])('refuses %p as a key set', (value) => {
    expect(readPublicJwks(value).ok).toBe(false);
  });
});

describe('jwksUriProblem', () => {
  it('accepts https anywhere and loopback http only where allowed', () => {
    expect(jwksUriProblem('https://payer.example/.well-known/jwks.json', false)).toBeUndefined();
    expect(jwksUriProblem('http://localhost:8080/jwks', true)).toBeUndefined();
    expect(jwksUriProblem('http://127.0.0.1/jwks', true)).toBeUndefined();
    expect(jwksUriProblem('http://localhost:8080/jwks', false)).toMatch(/sandbox only/);
  });

  it.each([
    ['http://payer.example/jwks', /https/],
    ['ftp://payer.example/jwks', /https/],
    ['https://user:pw@payer.example/jwks', /credentials/],
    ['https://payer.example/jwks#keys', /fragment/],
    ['not a url', /absolute URL/],
    [`https://payer.example/${'a'.repeat(2100)}`, /2048/],
    [42, /URL/],
  ])('refuses %p', (value, problem) => {
    expect(jwksUriProblem(value, true)).toMatch(problem);
  });
});
