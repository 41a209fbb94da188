import { ConfigValidationError, configVariables, loadConfig, PlatformConfig } from './index';
import { ClientSecretSealingKey, ListenHost, ListenPort, MetricsPort, RegistrationEventPublicKeys } from './shared-settings';

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

class ListeningService extends PlatformConfig {
  @ListenPort('the example service', 3009)
  EXAMPLE_PORT: number = 3009;

  @ListenHost('the example service')
  EXAMPLE_HOST: string = '0.0.0.0';

  @MetricsPort('the example service', 'EXAMPLE_PORT', 4009)
  EXAMPLE_METRICS_PORT?: string;
}

describe('where a service listens', () => {
  it('documents the port, interface and metrics port in the same words for every service', () => {
    const described = Object.fromEntries(configVariables(ListeningService).map((variable) => [variable.name, [variable.description, variable.example]]));
    expect(described.EXAMPLE_PORT).toEqual(['HTTP port of the example service.', '3009']);
    expect(described.EXAMPLE_HOST).toEqual(['Interface the example service listens on.', '0.0.0.0']);
    expect(described.EXAMPLE_METRICS_PORT).toEqual([
      "Port of the example service's Prometheus metrics (GET /metrics), kept off the public port. Unset: EXAMPLE_PORT + 1000. off: no metrics listener.",
      '4009',
    ]);
  });

  it('converts and checks them', () => {
    expect(loadConfig(ListeningService, { PROFILE: 'sandbox', EXAMPLE_PORT: '8080', EXAMPLE_HOST: '127.0.0.1', EXAMPLE_METRICS_PORT: 'off' })).toMatchObject({
      EXAMPLE_PORT: 8080,
      EXAMPLE_HOST: '127.0.0.1',
      EXAMPLE_METRICS_PORT: 'off',
    });
    expect(() => loadConfig(ListeningService, { PROFILE: 'sandbox', EXAMPLE_PORT: '70000', EXAMPLE_HOST: 'not a host!', EXAMPLE_METRICS_PORT: 'on' })).toThrow(
      new ConfigValidationError([
        'EXAMPLE_HOST must be a host name or IP address (got "not a host!")',
        'EXAMPLE_METRICS_PORT must be a port number or off (got "on")',
        'EXAMPLE_PORT must not be greater than 65535 (got "70000")',
      ]),
    );
  });
});
