import { runEntryPoint } from '@payer-access/testing';

// The real entry point as a process: without PROFILE the service is production and refuses to
// start without the settings that make it useful (and safe), one line for each.
jest.setTimeout(90_000);

describe('fhir started without PROFILE or settings', () => {
  it('exits non-zero with one line per missing setting', async () => {
    const run = await runEntryPoint('fhir', {});
    expect(run.code).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: AUTHORIZATION_EVENT_PUBLIC_KEYS is required in the production profile',
      'Invalid configuration: DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)',
      'Invalid configuration: KAFKA_BROKERS is required in the production profile (client events must reach the other services)',
      'Invalid configuration: REGISTRATION_EVENT_PUBLIC_KEYS is required in the production profile',
    ]);
    expect(run.stdout).not.toMatch(/listening/);
  });
});
