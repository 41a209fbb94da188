import 'reflect-metadata';
import { loadConfigOrExit, PlatformConfig, requireDatabaseUrl } from '@payer-access/config';
import { createDataSource, migrateDatabase } from '@payer-access/database';
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

if (require.main === module) {
  const config = requireDatabaseUrl(loadConfigOrExit(PlatformConfig));
  migrateAll(config.DATABASE_URL, (line) => process.stdout.write(`[migrate] ${line}\n`)).catch((error: unknown) => {
    process.stderr.write(`[migrate] failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
