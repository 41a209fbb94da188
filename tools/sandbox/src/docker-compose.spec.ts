import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { composeSchemaErrors, MissingComposeVariableError, renderComposeFile, type ComposeFile } from './compose/compose-file';
import { ENV_EXAMPLE_PATH } from './env-example';

const root = path.resolve(__dirname, '../../..');
const composeFile = path.join(root, 'docker/docker-compose.yml');
const APP_SERVICES = ['registration', 'authorization', 'fhir'] as const;

/** Secrets that only some services may hold: another service holding one could sign or unseal as them. */
const OWN_SERVICE_SECRETS: Record<string, readonly string[]> = {
  REGISTRATION_EVENT_SIGNING_KEY: ['registration'],
  AUTHORIZATION_EVENT_SIGNING_KEY: ['authorization'],
  CLIENT_SECRET_SEALING_KEY: ['registration', 'authorization'],
  SECOND_FACTOR_ENCRYPTION_KEY: ['registration'],
};

describe('docker/docker-compose.yml', () => {
  const required = {
    PORTAL_JWT_SECRET: 'x',
    COOKIE_KEYS: 'k'.repeat(32),
    SIGNING_KEY_ENCRYPTION_KEY: 'k'.repeat(43),
    ADMIN_EMAIL: 'admin@plan.example',
    ADMIN_PASSWORD: 'change-me',
  };

  /** The file as `docker compose config` sees it with this environment (and nothing else). */
  const config = (env: Record<string, string>) => renderComposeFile(composeFile, env) as ComposeFile;
  const environmentOf = (file: ComposeFile, service: string) => file.services[service].environment as Record<string, string>;

  it('is a valid compose file with PostgreSQL, Kafka, the migration job, the three services and the portal', () => {
    const rendered = config(required);
    expect(composeSchemaErrors(rendered)).toEqual([]);
    expect(Object.keys(rendered.services).sort()).toEqual(['authorization', 'fhir', 'kafka', 'migrate', 'portal', 'postgres', 'registration']);
    expect(rendered.services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(rendered.services.postgres.image).toMatch(/^postgres:/);
  });

  it('health-checks every long-running service and starts the services only once their dependencies are ready', () => {
    const rendered = config(required);
    for (const name of ['postgres', 'kafka', ...APP_SERVICES]) {
      expect({ name, test: rendered.services[name].healthcheck?.test }).toEqual({ name, test: expect.any(Array) });
    }
    for (const name of APP_SERVICES) {
      expect(rendered.services[name].healthcheck?.test).toEqual(expect.arrayContaining([expect.stringContaining(`/health/ready`)]));
      expect(rendered.services[name].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        kafka: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(rendered.services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(rendered.services.migrate.restart).toBe('no');
    // What `docker compose config` would refuse though the schema allows it: a dependency on a
    // service or a volume that the file does not define.
    for (const [name, service] of Object.entries(rendered.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect({ name, dependency, defined: dependency in rendered.services }).toEqual({ name, dependency, defined: true });
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        if (source && !source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(rendered.volumes ?? {})).toContain(source);
      }
    }
  });

  it('runs the services in the production profile unless PROFILE says otherwise', () => {
    for (const name of ['migrate', ...APP_SERVICES]) expect(environmentOf(config(required), name).PROFILE).toBe('production');
    expect(environmentOf(config({ ...required, PROFILE: 'sandbox' }), 'fhir').PROFILE).toBe('sandbox');
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
    const fixedByCompose = /^(REGISTRATION|AUTHORIZATION|FHIR|PORTAL)_(PORT|HOST)$|^(EMBEDDED_POSTGRES|SAMPLE_APP)_/;
    const documented = [...readFileSync(ENV_EXAMPLE_PATH, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    expect(documented).toEqual(expect.arrayContaining(['LOGIN_MAX_FAILURES', 'TRUST_PROXY_HOPS', 'FHIR_HOST']));

    // A value set in the environment reaches every container; an unset one is blank (the default).
    const rendered = config({ ...required, LOGIN_MAX_FAILURES: '7' });
    for (const name of ['migrate', ...APP_SERVICES]) {
      const environment = environmentOf(rendered, name);
      const expected = documented.filter((variable) => !fixedByCompose.test(variable) && (OWN_SERVICE_SECRETS[variable]?.includes(name) ?? true));
      expect({ name, missing: expected.filter((variable) => !(variable in environment)) }).toEqual({ name, missing: [] });
      expect(environment.LOGIN_MAX_FAILURES).toBe('7');
      expect(environment.ACCESS_TOKEN_TTL_SECONDS).toBe('');
    }
  });

  it('gives each event signing key to its own service only', () => {
    const rendered = config({ ...required, REGISTRATION_EVENT_SIGNING_KEY: 'registration-private', AUTHORIZATION_EVENT_SIGNING_KEY: 'authorization-private', CLIENT_SECRET_SEALING_KEY: 'sealing' });
    const holders = (value: string) => Object.keys(rendered.services).filter((name) => Object.values(rendered.services[name].environment ?? {}).includes(value)).sort();
    expect(holders('registration-private')).toEqual(['registration']);
    expect(holders('authorization-private')).toEqual(['authorization']);
    expect(holders('sealing')).toEqual(['authorization', 'registration']);
  });

  it('refuses to render without the secrets it cannot default', () => {
    expect(() => config({})).toThrow(MissingComposeVariableError);
    expect(() => config({})).toThrow(/PORTAL_JWT_SECRET/);
    for (const secret of Object.keys(required)) {
      const withoutIt: Record<string, string> = { ...required };
      delete withoutIt[secret];
      expect(() => config(withoutIt)).toThrow(new RegExp(`required variable ${secret} is missing a value`));
    }
  });
});
