import { runEntryPoint } from '@payer-access/testing';

// The real entry point as a process: without PROFILE a service is production, never a sandbox
// with published credentials, and it names every setting it lacks before it touches anything.
jest.setTimeout(90_000);

describe('registration started without PROFILE or secrets', () => {
  it('exits non-zero with one line per missing setting', async () => {
    const run = await runEntryPoint('registration', {});
    expect(run.code).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: ADMIN_EMAIL is required in the production profile',
      'Invalid configuration: ADMIN_PASSWORD is required in the production profile',
      'Invalid configuration: CLIENT_SECRET_SEALING_KEY is required in the production profile',
      'Invalid configuration: DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)',
      'Invalid configuration: KAFKA_BROKERS is required in the production profile (client events must reach the other services)',
      'Invalid configuration: PORTAL_JWT_SECRET is required in the production profile',
      'Invalid configuration: REGISTRATION_EVENT_SIGNING_KEY is required in the production profile',
      'Invalid configuration: SMTP_URL is required in the production profile',
    ]);
    expect(run.stdout).not.toMatch(/listening|sandbox/);
  });

  it('names only what is still missing, and never echoes a secret it was given', async () => {
    const run = await runEntryPoint('registration', { ADMIN_EMAIL: 'staff@plan.example', ADMIN_PASSWORD: 'a-staff-password-1', PORTAL_JWT_SECRET: 'too-short-secret' });
    expect(run.code).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: CLIENT_SECRET_SEALING_KEY is required in the production profile',
      'Invalid configuration: DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)',
      'Invalid configuration: KAFKA_BROKERS is required in the production profile (client events must reach the other services)',
      'Invalid configuration: PORTAL_JWT_SECRET must be longer than or equal to 32 characters',
      'Invalid configuration: REGISTRATION_EVENT_SIGNING_KEY is required in the production profile',
      'Invalid configuration: SMTP_URL is required in the production profile',
    ]);
    expect(run.stderr).not.toContain('a-staff-password-1');
    expect(run.stderr).not.toContain('too-short-secret');
  });
});
