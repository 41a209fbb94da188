import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { clientAssertion } from './token-load-client';

describe(clientAssertion.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const client = { clientId: 'payer-1', privateJwk: { ...privateKey.export({ format: 'jwk' }), kid: 'k1' } };

  it('signs an ES384 assertion for the audience with the claims SMART Backend Services asks for, a new jti each time', async () => {
    const first = clientAssertion(client, 'https://as.example/token');
    const second = clientAssertion(client, 'https://as.example/token');
    await expect(compactVerify(first, publicKey)).resolves.toBeDefined();
    expect(decodeProtectedHeader(first)).toEqual({ alg: 'ES384', kid: 'k1', typ: 'JWT' });
    const claims = decodeJwt(first);
    expect(claims).toMatchObject({ iss: 'payer-1', sub: 'payer-1', aud: 'https://as.example/token' });
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(300);
    expect(decodeJwt(second).jti).not.toBe(claims.jti);
  });
});
