import { MemoryRateLimitStore, RateLimiter, rateLimitHeaders } from './rate-limiter';

describe(RateLimiter.name, () => {
  let now: number;
  let sut: RateLimiter;

  beforeEach(() => {
    now = 1_000_000;
    sut = new RateLimiter(new MemoryRateLimitStore(), () => now);
  });

  it('allows the limit within a window, refuses the next with the time left, and starts over when the window ends', async () => {
    const rule = { name: 'token:address', key: '198.51.100.7', limit: 3, windowSeconds: 60 };
    for (let i = 0; i < 3; i++) expect((await sut.consume([rule]))?.allowed).toBe(true);
    now += 20_500;
    const refused = { allowed: false, limit: 3, remaining: 0, resetSeconds: 40 };
    expect(await sut.consume([rule])).toEqual(refused);
    expect(rateLimitHeaders(refused)).toEqual({ 'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '40', 'Retry-After': '40' });
    now += 40_000;
    expect(await sut.consume([rule])).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
  });

  it('keeps keys and rule names apart and reports the tightest rule', async () => {
    const perAddress = { name: 'token:address', key: '192.0.2.1', limit: 10, windowSeconds: 60 };
    const perClient = { name: 'token:client', key: 'client-a', limit: 2, windowSeconds: 60 };
    expect(await sut.consume([perAddress, perClient])).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    expect(await sut.consume([perAddress, { ...perClient, key: 'client-b' }])).toMatchObject({ allowed: true, remaining: 1 });
    expect(await sut.consume([perAddress, perClient])).toMatchObject({ allowed: true, remaining: 0 });
    expect(await sut.consume([perAddress, perClient])).toMatchObject({ allowed: false, limit: 2 });
    const other = await sut.consume([{ ...perAddress, key: '192.0.2.2' }]);
    expect(other?.allowed).toBe(true);
    if (other) expect(rateLimitHeaders(other)).not.toHaveProperty('Retry-After');
  });
});
