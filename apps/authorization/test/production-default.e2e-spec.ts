import { runEntryPoint } from '@payer-access/testing';

// The real entry point as a process: without PROFILE the service is production (no published
// member passwords, no PKCE plain) and it names every setting it lacks before it starts.
jest.setTimeout(90_000);

describe('authorization started without PROFILE or secrets', () => {
  it('exits non-zero with one line per missing setting', async () => {
    const run = await runEntryPoint('authorization', {});
    expect(run.code).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: AUTHORIZATION_EVENT_SIGNING_KEY is required in the production profile',
      'Invalid configuration: CLIENT_SECRET_SEALING_KEY is required in the production profile',
      'Invalid configuration: COOKIE_KEYS is required in the production profile',
      'Invalid configuration: DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)',
      'Invalid configuration: KAFKA_BROKERS is required in the production profile (client events must reach the other services)',
      'Invalid configuration: REGISTRATION_EVENT_PUBLIC_KEYS is required in the production profile',
      'Invalid configuration: SIGNING_KEY_ENCRYPTION_KEY is required in the production profile',
    ]);
    expect(run.stdout).not.toMatch(/listening/);
  });

  it('starts the sandbox only when asked, and then needs just a database', async () => {
    const run = await runEntryPoint('authorization', { PROFILE: 'sandbox' });
    expect(run.code).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual(['Invalid configuration: DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)']);
  });
});
