import { configVariables, loadConfig, PlatformConfig } from './index';
import { ClientSecretSealingKey, RegistrationEventPublicKeys } from './shared-settings';

class TwoServiceSettings extends PlatformConfig {
  @RegistrationEventPublicKeys()
  REGISTRATION_EVENT_PUBLIC_KEYS?: string;

  @ClientSecretSealingKey()
  CLIENT_SECRET_SEALING_KEY?: string;
}

describe('settings two services share', () => {
  it('documents each under its property name, the sealing key as a secret', () => {
    const variables = configVariables(TwoServiceSettings).filter((variable) => ['REGISTRATION_EVENT_PUBLIC_KEYS', 'CLIENT_SECRET_SEALING_KEY'].includes(variable.name));
    expect(variables.map((variable) => [variable.name, variable.sensitive ?? false])).toEqual([
      ['REGISTRATION_EVENT_PUBLIC_KEYS', false],
      ['CLIENT_SECRET_SEALING_KEY', true],
    ]);
  });

  it('leaves both optional and refuses a sealing key that is not 32 bytes of base64url, without echoing it', () => {
    expect(loadConfig(TwoServiceSettings, { PROFILE: 'sandbox' }).CLIENT_SECRET_SEALING_KEY).toBeUndefined();
    expect(loadConfig(TwoServiceSettings, { PROFILE: 'sandbox', CLIENT_SECRET_SEALING_KEY: 'A'.repeat(43) }).CLIENT_SECRET_SEALING_KEY).toBe('A'.repeat(43));
    expect(() => loadConfig(TwoServiceSettings, { PROFILE: 'sandbox', CLIENT_SECRET_SEALING_KEY: 'short-key' })).toThrow(
      /^Invalid configuration: CLIENT_SECRET_SEALING_KEY must be 32 bytes in base64url \(43 characters\)$/,
    );
  });
});
