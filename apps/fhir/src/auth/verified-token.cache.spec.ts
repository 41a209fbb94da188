import type { AccessTokenClaims } from './fhir-principal';
import { VerifiedTokenCache } from './verified-token.cache';

describe(VerifiedTokenCache.name, () => {
  const claims = (exp: number): AccessTokenClaims => ({ iss: 'i', sub: 's', aud: 'a', exp, client_id: 'c', scope: 'patient/*.read' });

  it('answers until the token expires, then forgets it', () => {
    const sut = new VerifiedTokenCache();
    sut.set('token', claims(100));
    expect(sut.get('token', 99_999)?.sub).toBe('s');
    expect(sut.get('token', 100_000)).toBeUndefined();
    expect(sut.get('token', 0)).toBeUndefined();
  });

  it('keeps at most 10,000 tokens, dropping the oldest', () => {
    const sut = new VerifiedTokenCache();
    for (let index = 0; index <= 10_000; index += 1) sut.set(`token-${index}`, claims(100));
    expect(sut.get('token-0', 0)).toBeUndefined();
    expect(sut.get('token-1', 0)).toBeDefined();
    expect(sut.get('token-10000', 0)).toBeDefined();
  });
});
