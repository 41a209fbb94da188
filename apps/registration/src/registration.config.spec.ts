import { ConfigValidationError, loadConfig } from '@payer-access/config';
import { RegistrationConfig } from './registration.config';

describe(RegistrationConfig.name, () => {
  it('is production by default, and names each secret production needs', () => {
    expect(() => loadConfig(RegistrationConfig, { DATABASE_URL: 'postgres://db/app' })).toThrow(
      new ConfigValidationError([
        'ADMIN_EMAIL is required in the production profile',
        'ADMIN_PASSWORD is required in the production profile',
        'CLIENT_SECRET_SEALING_KEY is required in the production profile',
        'PORTAL_JWT_SECRET is required in the production profile',
        'REGISTRATION_EVENT_SIGNING_KEY is required in the production profile',
        'SMTP_URL is required in the production profile',
      ]),
    );
  });

  it('has working sandbox defaults: sandbox admin and token key are decided at start, not here', () => {
    const config = loadConfig(RegistrationConfig, { PROFILE: 'sandbox' });
    expect(config).toMatchObject({
      REGISTRATION_PORT: 3001,
      PORTAL_TOKEN_TTL_SECONDS: 900,
      REVIEW_TIME_ZONE: 'America/New_York',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: 5,
      AUTHORIZATION_PUBLIC_URL: 'http://localhost:3002',
      FHIR_BASE_PATH: '/fhir/sb/R4/patientaccess',
      MAIL_RETRY_INITIAL_MS: 5_000,
      MAIL_RETRY_MAX_MS: 300_000,
    });
    expect(config.ADMIN_EMAIL).toBeUndefined();
    expect(config.PORTAL_JWT_SECRET).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
  });

  it.each([
    [{ REVIEW_TIME_ZONE: 'Mars/Olympus_Mons' }, 'REVIEW_TIME_ZONE must be an IANA time zone such as America/New_York (got "Mars/Olympus_Mons")'],
    [{ ADMIN_EMAIL: 'admin' }, 'ADMIN_EMAIL must be an email (got "admin")'],
    [{ SMTP_URL: 'http://mail.example' }, 'SMTP_URL must be a URL address'],
    [{ PORTAL_TOKEN_TTL_SECONDS: '10' }, 'PORTAL_TOKEN_TTL_SECONDS must not be less than 60 (got "10")'],
  ])('refuses %p', (env, problem) => {
    expect(() => loadConfig(RegistrationConfig, { PROFILE: 'sandbox', ...env })).toThrow(new ConfigValidationError([problem]));
  });

  it('never echoes a short token key back', () => {
    expect(() => loadConfig(RegistrationConfig, { PROFILE: 'sandbox', PORTAL_JWT_SECRET: 'hunter2' })).toThrow(
      new ConfigValidationError(['PORTAL_JWT_SECRET must be longer than or equal to 32 characters']),
    );
  });

  it('accepts an SMTP URL with credentials', () => {
    expect(loadConfig(RegistrationConfig, { PROFILE: 'sandbox', SMTP_URL: 'smtps://user:pw@mail.plan.example:465' }).SMTP_URL).toBe('smtps://user:pw@mail.plan.example:465');
  });
});
