import { ConfigValidationError, loadConfig } from '@payer-access/config';
import { FhirConfig } from './fhir.config';

describe(FhirConfig.name, () => {
  it('is production by default, and names the event keys production needs when the configuration is loaded', () => {
    expect(() => loadConfig(FhirConfig, { DATABASE_URL: 'postgres://db/app' })).toThrow(
      new ConfigValidationError([
        'AUTHORIZATION_EVENT_PUBLIC_KEYS is required in the production profile',
        'REGISTRATION_EVENT_PUBLIC_KEYS is required in the production profile',
      ]),
    );
  });

  it('needs no event key in a process that carries no events (the NDJSON loader, the migrate job), nor in the sandbox', () => {
    expect(loadConfig(FhirConfig, { DATABASE_URL: 'postgres://db/app' }, { events: false }).REGISTRATION_EVENT_PUBLIC_KEYS).toBeUndefined();
    expect(loadConfig(FhirConfig, { PROFILE: 'sandbox' }).AUTHORIZATION_EVENT_PUBLIC_KEYS).toBeUndefined();
  });
});
