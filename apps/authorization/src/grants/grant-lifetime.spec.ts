import { grantLifetime, grantTtlSeconds, RESEARCH_GRANT_TTL_SECONDS, withinGrant } from './grant-lifetime';

const config = { ACCESS_TOKEN_TTL_SECONDS: 3600, AUTHORIZATION_CODE_TTL_SECONDS: 600 };

describe('grantLifetime', () => {
  it('ends a 13-month grant, and every token of it, 13 calendar months after consent: the end the member is told', () => {
    const lifetime = grantLifetime('thirteen_month', new Date('2026-01-31T10:00:00Z'), config);
    expect(lifetime.accessExpiresAt?.toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(lifetime.expiresAt?.toISOString()).toBe('2027-02-28T10:00:00.000Z');
  });

  it('leaves a one-time grant’s end to its code exchange, and voids its tokens after the code and one access token', () => {
    const lifetime = grantLifetime('one_time', new Date('2026-01-31T10:00:00Z'), config);
    expect(lifetime.accessExpiresAt).toBeNull();
    expect(lifetime.expiresAt?.toISOString()).toBe('2026-01-31T11:10:00.000Z');
  });

  it('gives a research grant no end', () => {
    expect(grantLifetime('research', new Date('2026-01-31T10:00:00Z'), config)).toEqual({ accessExpiresAt: null, expiresAt: null });
  });
});

describe('grantTtlSeconds', () => {
  it('keeps the provider’s grant exactly until the end grantLifetime gives the member’s grant', () => {
    const now = new Date('2026-01-31T10:00:00Z');
    for (const type of ['thirteen_month', 'one_time'] as const) {
      const end = grantLifetime(type, now, config).expiresAt;
      expect(now.getTime() + grantTtlSeconds(type, now, config) * 1000).toBe(end?.getTime());
    }
    expect(grantTtlSeconds('thirteen_month', now, config)).toBe((Date.parse('2027-02-28T10:00:00Z') - now.getTime()) / 1000);
    expect(grantTtlSeconds('one_time', now, config)).toBe(4200);
    expect(grantTtlSeconds('research', now, config)).toBe(RESEARCH_GRANT_TTL_SECONDS);
    expect(Number.isSafeInteger(RESEARCH_GRANT_TTL_SECONDS)).toBe(true);
  });

  it('counts from the instant it is given (the Clock), not the system clock', () => {
    // 2027-01-31 + 13 months clamps to 2028-02-29: 394 days; 2027-03-15 to 2028-04-15: 397 days.
    expect(grantTtlSeconds('thirteen_month', new Date('2027-01-31T12:00:00Z'), config)).toBe(394 * 86400);
    expect(grantTtlSeconds('thirteen_month', new Date('2027-03-15T09:30:00Z'), config)).toBe(397 * 86400);
  });
});

describe('withinGrant', () => {
  it('cuts a token that would outlive its grant to the grant’s end, and leaves the others', () => {
    expect(withinGrant(3600, 10_000, 5_000)).toBe(3600);
    expect(withinGrant(3600, 10_000, 9_000)).toBe(1000);
    expect(withinGrant(3600, 10_000, 10_000)).toBe(1);
    expect(withinGrant(3600, undefined, 9_000)).toBe(3600);
  });
});
