import { grantTtlSeconds, RESEARCH_GRANT_TTL_SECONDS } from '../oidc/oidc-provider.factory';
import { grantLifetime } from './member-grants.service';

const config = { ACCESS_TOKEN_TTL_SECONDS: 3600, AUTHORIZATION_CODE_TTL_SECONDS: 600 };

describe('grantLifetime', () => {
  it('ends a 13-month grant 13 calendar months after consent; its last access token may live an hour more', () => {
    const lifetime = grantLifetime('thirteen_month', new Date('2026-01-31T10:00:00Z'), config);
    expect(lifetime.accessExpiresAt?.toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(lifetime.expiresAt?.toISOString()).toBe('2027-02-28T11:00:00.000Z');
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
  it('keeps the provider’s grant exactly as long as the member’s authorization', () => {
    const now = new Date('2026-01-31T10:00:00Z');
    expect(grantTtlSeconds('thirteen_month', now, config)).toBe((Date.parse('2027-02-28T10:00:00Z') - now.getTime()) / 1000);
    expect(grantTtlSeconds('one_time', now, config)).toBe(4200);
    expect(grantTtlSeconds('research', now, config)).toBe(RESEARCH_GRANT_TTL_SECONDS);
    expect(Number.isSafeInteger(RESEARCH_GRANT_TTL_SECONDS)).toBe(true);
  });
});
