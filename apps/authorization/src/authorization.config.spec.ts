import { ConfigValidationError, loadConfig } from '@payer-access/config';
import { AuthorizationConfig } from './authorization.config';

describe(AuthorizationConfig.name, () => {
  it('is production by default, and names each secret production needs when the configuration is loaded', () => {
    expect(() => loadConfig(AuthorizationConfig, { DATABASE_URL: 'postgres://db/app' })).toThrow(
      new ConfigValidationError([
        'AUTHORIZATION_EVENT_SIGNING_KEY is required in the production profile',
        'CLIENT_SECRET_SEALING_KEY is required in the production profile',
        'COOKIE_KEYS is required in the production profile',
        'REGISTRATION_EVENT_PUBLIC_KEYS is required in the production profile',
        'SIGNING_KEY_ENCRYPTION_KEY is required in the production profile',
      ]),
    );
  });

  it('lets the sandbox leave them unset', () => {
    const config = loadConfig(AuthorizationConfig, { PROFILE: 'sandbox' });
    expect([config.SIGNING_KEY_ENCRYPTION_KEY, config.AUTHORIZATION_EVENT_SIGNING_KEY, config.REGISTRATION_EVENT_PUBLIC_KEYS, config.CLIENT_SECRET_SEALING_KEY]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
