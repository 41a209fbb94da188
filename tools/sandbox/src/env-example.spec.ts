import { readFileSync } from 'node:fs';
import { configVariables } from '@payer-access/config';
import { ENV_EXAMPLE_PATH, renderEnvExample } from './env-example';
import { SandboxConfig, SERVICE_CONFIGS } from './sandbox.config';

describe('docker/.env.example', () => {
  it('is current with the configuration classes (regenerate with `npm run env:example`)', () => {
    expect(readFileSync(ENV_EXAMPLE_PATH, 'utf8')).toEqual(renderEnvExample());
  });

  it('lists every variable any service reads', () => {
    const listed = new Set(
      readFileSync(ENV_EXAMPLE_PATH, 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z0-9_]+=/.test(line))
        .map((line) => line.split('=')[0]),
    );
    const read = [...Object.values(SERVICE_CONFIGS), SandboxConfig].flatMap((schema) => configVariables(schema).map((v) => v.name));
    expect(read.filter((name) => !listed.has(name))).toEqual([]);
  });
});
