import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENV_EXAMPLE_PATH } from './env-example';

const root = path.resolve(__dirname, '../../..');
const composeFile = path.join(root, 'docker/docker-compose.yml');

/** `docker compose` (v2 plugin) when present, else Debian's `docker-compose`. .ci/run installs the latter. */
function composeCommand(): string[] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  throw new Error('Neither `docker compose` nor `docker-compose` is installed: apt-get install docker-compose');
}

describe('docker/docker-compose.yml', () => {
  const [command, ...prefix] = composeCommand();
  const required = {
    PORTAL_JWT_SECRET: 'x',
    COOKIE_KEYS: 'k'.repeat(32),
    ADMIN_EMAIL: 'admin@plan.example',
    ADMIN_PASSWORD: 'change-me',
  };

  function config(env: Record<string, string>): string {
    return execFileSync(command, [...prefix, '-f', composeFile, 'config'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  it('is a valid compose file with PostgreSQL, Kafka, the migration job and the three services', () => {
    const rendered = config(required);
    for (const service of ['postgres', 'kafka', 'migrate', 'registration', 'authorization', 'fhir']) {
      expect(rendered).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
    expect(rendered).toContain('apache/kafka');
  });

  it('runs only programs the image build compiles (dist/<path>.js from <path>.ts under a build root)', () => {
    const buildScript = readFileSync(path.join(root, 'tools/build/build.js'), 'utf8');
    const roots = [...(/const sourceRoots = \[([^\]]*)\]/.exec(buildScript)?.[1].matchAll(/'([^']+)'/g) ?? [])].map((match) => match[1]);
    const programs = [
      ...readFileSync(composeFile, 'utf8').matchAll(/"dist\/([^"]+)\.js"/g),
      ...readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8').matchAll(/"dist\/([^"]+)\.js"/g),
    ].map((match) => match[1]);
    expect(roots).toContain('apps');
    expect(programs).toEqual(expect.arrayContaining(['tools/sandbox/src/migrate', 'apps/fhir/src/main']));
    for (const program of programs) {
      expect({ program, source: existsSync(path.join(root, `${program}.ts`)), built: roots.some((dir) => program.startsWith(`${dir}/`)) }).toEqual({
        program,
        source: true,
        built: true,
      });
    }
  });

  it('hands every variable of .env.example to the services, except the ports and hosts it fixes', () => {
    // The embedded PostgreSQL and the sample app's server belong to `npm start`, not to compose.
    const fixedByCompose = /^(REGISTRATION|AUTHORIZATION|FHIR)_(PORT|HOST)$|^(EMBEDDED_POSTGRES|SAMPLE_APP)_/;
    const documented = [...readFileSync(ENV_EXAMPLE_PATH, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    const passed = readFileSync(composeFile, 'utf8');
    expect(documented).toEqual(expect.arrayContaining(['LOGIN_MAX_FAILURES', 'TRUST_PROXY_HOPS', 'FHIR_HOST']));
    expect(documented.filter((name) => !fixedByCompose.test(name) && !new RegExp(`^    ${name}: `, 'm').test(passed))).toEqual([]);

    // A value set in the environment reaches the containers; an unset one is blank (the default).
    const rendered = config({ ...required, LOGIN_MAX_FAILURES: '7' });
    expect(rendered).toMatch(/^ {6}LOGIN_MAX_FAILURES: '7'$/m);
    expect(rendered).toMatch(/^ {6}ACCESS_TOKEN_TTL_SECONDS: ''$/m);
  });

  it('refuses to render without the secrets it cannot default', () => {
    expect(() => config({})).toThrow(/PORTAL_JWT_SECRET/);
  });
});
