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
    const fixedByCompose = /^(REGISTRATION|AUTHORIZATION|FHIR)_(PORT|HOST)$|^EMBEDDED_POSTGRES_/;
    const documented = [...readFileSync(ENV_EXAMPLE_PATH, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    const passed = readFileSync(composeFile, 'utf8');
    expect(documented).toEqual(expect.arrayContaining(['LOGIN_MAX_FAILURES', 'TRUST_PROXY_HOPS', 'FHIR_HOST']));
    // Four spaces: every service's environment; six: one service's own (its private keys).
    expect(documented.filter((name) => !fixedByCompose.test(name) && !new RegExp(`^ {4}(  )?${name}: `, 'm').test(passed))).toEqual([]);

    // A value set in the environment reaches the containers; an unset one is blank (the default).
    const rendered = config({ ...required, LOGIN_MAX_FAILURES: '7' });
    expect(rendered).toMatch(/^ {6}LOGIN_MAX_FAILURES: '7'$/m);
    expect(rendered).toMatch(/^ {6}ACCESS_TOKEN_TTL_SECONDS: ''$/m);
  });

  it('gives each event signing key to its own service only', () => {
    const rendered = config({ ...required, REGISTRATION_EVENT_SIGNING_KEY: 'registration-private', AUTHORIZATION_EVENT_SIGNING_KEY: 'authorization-private', CLIENT_SECRET_SEALING_KEY: 'sealing' });
    const services = Object.fromEntries(
      ['registration', 'authorization', 'fhir', 'migrate'].map((name) => [name, new RegExp(`^  ${name}:$([\\s\\S]*?)(?=^  [a-z-]+:$|^[a-z])`, 'm').exec(rendered)?.[1] ?? '']),
    );
    expect(services.registration).toContain('registration-private');
    expect(services.authorization).toContain('authorization-private');
    for (const [name, text] of Object.entries(services)) {
      if (name !== 'registration') expect({ name, registrationKey: text.includes('registration-private') }).toEqual({ name, registrationKey: false });
      if (name !== 'authorization') expect({ name, authorizationKey: text.includes('authorization-private') }).toEqual({ name, authorizationKey: false });
      if (name === 'fhir' || name === 'migrate') expect({ name, sealingKey: text.includes('sealing') }).toEqual({ name, sealingKey: false });
    }
  });

  it('refuses to render without the secrets it cannot default', () => {
    expect(() => config({})).toThrow(/PORTAL_JWT_SECRET/);
  });
});
