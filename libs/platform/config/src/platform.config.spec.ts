import { hstsMaxAge, loadConfig, PlatformConfig } from './index';

describe(hstsMaxAge.name, () => {
  it('sends HSTS for a year in the production profile and none in the sandbox, unless set', () => {
    expect(hstsMaxAge(loadConfig(PlatformConfig, { PROFILE: 'production', DATABASE_URL: 'postgres://user:pw@db:5432/app' }))).toBe(31_536_000);
    expect(hstsMaxAge(loadConfig(PlatformConfig, { PROFILE: 'sandbox' }))).toBe(0);
    expect(hstsMaxAge(loadConfig(PlatformConfig, { PROFILE: 'production', DATABASE_URL: 'postgres://user:pw@db:5432/app', HSTS_MAX_AGE_SECONDS: '0' }))).toBe(0);
    expect(hstsMaxAge(loadConfig(PlatformConfig, { PROFILE: 'sandbox', HSTS_MAX_AGE_SECONDS: '600' }))).toBe(600);
  });

  it('refuses a negative or non-numeric max-age', () => {
    expect(() => loadConfig(PlatformConfig, { HSTS_MAX_AGE_SECONDS: '-1' })).toThrow(/HSTS_MAX_AGE_SECONDS/);
    expect(() => loadConfig(PlatformConfig, { HSTS_MAX_AGE_SECONDS: 'year' })).toThrow(/HSTS_MAX_AGE_SECONDS/);
  });
});
