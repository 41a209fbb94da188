import 'reflect-metadata';
import type { Resource } from '@medplum/fhirtypes';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { createDataSource, migrateDatabase, recordDatabaseProfile } from '@payer-access/database';
import { createFhirSearchRegistry, FhirConfig, NdjsonLoader, ResourceRepository, SearchIndexer, sensitiveCodesFrom } from '@payer-access/fhir-service';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import { REGISTRATION_SCHEMA } from '../../../apps/registration/src/app.module';
import { REGISTRATION_MIGRATIONS } from '../../../apps/registration/src/migrations';
import { AUTHORIZATION_SCHEMA } from '../../../apps/authorization/src/app.module';
import { AUTHORIZATION_MIGRATIONS } from '../../../apps/authorization/src/migrations';
import { FHIR_SCHEMA } from '../../../apps/fhir/src/app.module';
import { FHIR_MIGRATIONS } from '../../../apps/fhir/src/migrations';

/** Every service's schema and migrations, in the order a fresh database is set up. */
export const SERVICE_SCHEMAS = [
  { schema: REGISTRATION_SCHEMA, migrations: REGISTRATION_MIGRATIONS },
  { schema: AUTHORIZATION_SCHEMA, migrations: AUTHORIZATION_MIGRATIONS },
  { schema: FHIR_SCHEMA, migrations: FHIR_MIGRATIONS },
] as const;

/**
 * The one-shot migration job of docker compose (and of any deployment that runs services with
 * MIGRATE_ON_START=false): applies each service's pending migrations to its own schema.
 */
export async function migrateAll(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<void> {
  for (const { schema, migrations } of SERVICE_SCHEMAS) {
    const dataSource = createDataSource({ url: databaseUrl, schema, migrations, poolSize: 1, applicationName: 'payer-access-migrate' });
    try {
      const applied = await migrateDatabase(dataSource);
      log(`${schema}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
    } finally {
      await dataSource.destroy();
    }
  }
}

/**
 * In the sandbox profile, loads the synthetic sandbox data set into an empty FHIR store, as `npm
 * start` does, so that services run apart (docker compose) serve seed 002's members too. A store
 * that holds anything is left alone, and a schema a production service has used is refused
 * (DatabaseProfileMismatchError). Returns the number of resources loaded.
 */
export async function loadSandboxData(
  databaseUrl: string,
  config: Pick<FhirConfig, 'PROFILE' | 'FHIR_LOAD_SANDBOX_DATA' | 'FHIR_PUBLIC_URL' | 'FHIR_SENSITIVE_CODES'>,
  log: (line: string) => void = () => undefined,
  data: () => Iterable<Resource> = sandboxDataSet,
): Promise<number> {
  if (config.PROFILE !== 'sandbox' || config.FHIR_LOAD_SANDBOX_DATA !== 'true') return 0;
  const dataSource = createDataSource({ url: databaseUrl, schema: FHIR_SCHEMA, migrations: [], poolSize: 2, applicationName: 'payer-access-migrate' });
  await dataSource.initialize();
  try {
    await recordDatabaseProfile(dataSource, 'sandbox');
    const registry = createFhirSearchRegistry(config);
    const repository = new ResourceRepository(dataSource, new SearchIndexer(registry));
    if (!(await repository.isEmpty())) {
      log(`${FHIR_SCHEMA}: sandbox data already present`);
      return 0;
    }
    const report = await new NdjsonLoader(repository, new Set(registry.resourceTypes), sensitiveCodesFrom(config.FHIR_SENSITIVE_CODES)).load(data());
    log(`${FHIR_SCHEMA}: loaded the sandbox data set, ${report.loaded} resources in ${report.milliseconds} ms (${report.rejected} rejected)`);
    return report.loaded;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  const config = loadStandaloneConfigOrExit(FhirConfig, { events: false });
  const log = (line: string): void => void process.stdout.write(`[migrate] ${line}\n`);
  (async () => {
    await migrateAll(config.DATABASE_URL, log);
    await loadSandboxData(config.DATABASE_URL, config, log);
  })().catch((error: unknown) => {
    process.stderr.write(`[migrate] failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
