import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { configVariables, PlatformConfig, type ConfigVariableMetadata } from '@payer-access/config';
import { PORTAL_CONFIG, SandboxConfig, SERVICE_CONFIGS } from './sandbox.config';

export const ENV_EXAMPLE_PATH = path.resolve(__dirname, '../../../docker/.env.example');

/**
 * `docker/.env.example`, generated from the configuration classes so that it always lists
 * every variable the services read (a test fails when the committed file falls behind).
 */
export function renderEnvExample(): string {
  const sections: [string, (new () => object)[]][] = [
    ['every service', [PlatformConfig]],
    ['registration service', [SERVICE_CONFIGS.registration]],
    ['authorization service', [SERVICE_CONFIGS.authorization]],
    ['fhir service', [SERVICE_CONFIGS.fhir]],
    ['registration portal (web UI)', [PORTAL_CONFIG]],
    ['one-process sandbox (npm start)', [SandboxConfig]],
  ];
  const written = new Set<string>();
  const lines = [
    '# payer-access configuration. Generated from the services\' configuration classes:',
    '# run `npm run env:example` after changing one. Blank values mean "use the default".',
  ];
  for (const [title, schemas] of sections) {
    const variables = schemas.flatMap((schema) => configVariables(schema)).filter((variable) => !written.has(variable.name));
    if (variables.length === 0) continue;
    lines.push('', `# --- ${title} ---`);
    for (const variable of variables) {
      written.add(variable.name);
      lines.push(...describe(variable));
    }
  }
  return `${lines.join('\n')}\n`;
}

function describe(variable: ConfigVariableMetadata): string[] {
  const notes = [variable.description, variable.sensitive ? 'Secret: keep it out of version control.' : '']
    .filter(Boolean)
    .map((text) => `# ${text}`);
  return [...notes, `${variable.name}=${variable.example ?? ''}`];
}

if (require.main === module) {
  writeFileSync(ENV_EXAMPLE_PATH, renderEnvExample());
  process.stdout.write(`wrote ${path.relative(process.cwd(), ENV_EXAMPLE_PATH)}\n`);
}
