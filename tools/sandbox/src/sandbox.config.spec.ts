import { loadConfig } from '@payer-access/config';
import { SERVICE_CONFIGS, sandboxEnvironment } from './sandbox.config';

describe(sandboxEnvironment.name, () => {
  it('asks every service for the sandbox, which then needs no secret and no database', () => {
    const env = sandboxEnvironment({});
    const schemas: (new () => { PROFILE: string })[] = Object.values(SERVICE_CONFIGS);
    for (const schema of schemas) expect(loadConfig(schema, env).PROFILE).toBe('sandbox');
  });

  it('keeps a profile the operator chose, and treats a blank one as unset', () => {
    expect(sandboxEnvironment({ PROFILE: 'production' }).PROFILE).toBe('production');
    expect(sandboxEnvironment({ PROFILE: ' ' }).PROFILE).toBe('sandbox');
  });
});
