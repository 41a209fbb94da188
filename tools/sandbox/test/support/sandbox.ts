import { getJson } from '../../../platform-e2e/test/support/http';
import { FHIR_BASE_PATH } from '../../../platform-e2e/test/support/platform';
import { eventually } from '../../../platform-e2e/test/support/poll';
import type { RunningSandbox } from '../../src/sandbox';

/** The Patient Access base the platform suite serves FHIR at, `npm start`'s as well. */
export { FHIR_BASE_PATH };

/**
 * `npm start`'s settings for a test: the sandbox profile on the test's own database, the
 * PostgreSQL event log instead of Kafka, and the three services on the given ports of 127.0.0.1,
 * published at those addresses. The portal and the sample app get free ports of their own: their
 * fixed defaults may be taken by another `npm start` on the machine. Callers spread their own
 * settings after it.
 */
export function sandboxEnv(databaseUrl: string, ports: { registration: number; authorization: number; fhir: number }): NodeJS.ProcessEnv {
  return {
    PROFILE: 'sandbox',
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'true',
    KAFKA_BROKERS: '',
    FHIR_BASE_PATH,
    REGISTRATION_PORT: String(ports.registration),
    REGISTRATION_HOST: '127.0.0.1',
    REGISTRATION_PUBLIC_URL: `http://127.0.0.1:${ports.registration}`,
    AUTHORIZATION_PORT: String(ports.authorization),
    AUTHORIZATION_HOST: '127.0.0.1',
    AUTHORIZATION_PUBLIC_URL: `http://127.0.0.1:${ports.authorization}`,
    FHIR_PORT: String(ports.fhir),
    FHIR_HOST: '127.0.0.1',
    FHIR_PUBLIC_URL: `http://127.0.0.1:${ports.fhir}`,
    PORTAL_PORT: '0',
    PORTAL_HOST: '127.0.0.1',
    SAMPLE_APP_PORT: '0',
  };
}

/** Every service answers `/health/ready` with 200 (the FHIR service only once its caches caught up). */
export async function allReady(sandbox: RunningSandbox): Promise<void> {
  await Promise.all(
    Object.entries(sandbox.urls).map(([name, url]) =>
      eventually(async () => (await getJson(`${url}/health/ready`)).status === 200, { what: `${name} to be ready`, timeoutMs: 120_000 }),
    ),
  );
}
