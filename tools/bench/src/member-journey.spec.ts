import { CookieJar } from './member-journey';

describe(CookieJar.name, () => {
  it('sends every stored cookie, the latest value of each', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.store(['_interaction=abc; path=/interaction/abc; httponly; samesite=lax', '_interaction.sig=s1; path=/interaction/abc; httponly']);
    jar.store(['_interaction=def; path=/interaction/def']);
    expect(jar.header()).toBe('_interaction=def; _interaction.sig=s1');
  });

  it('drops cookies the server clears, by Max-Age, Expires or an empty value', () => {
    const jar = new CookieJar();
    const now = Date.parse('2026-01-01T00:00:00Z');
    jar.store(['a=1', 'b=2', 'c=3', 'd=4'], now);
    jar.store(['a=; path=/', 'b=x; Max-Age=0', 'c=x; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'd=5; expires=Fri, 01 Jan 2027 00:00:00 GMT'], now);
    expect(jar.header()).toBe('d=5');
  });

  it('ignores lines without a name', () => {
    const jar = new CookieJar();
    jar.store(['=orphan', 'novalue']);
    expect(jar.header()).toBeUndefined();
  });
});
