import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

/** The profiles a service runs in (the configuration library defines and validates them). */
export type DatabaseProfile = 'sandbox' | 'production';

/**
 * Creates `database_profile`, one row saying whether a production service has ever run on this
 * schema. Every service lists it among its migrations; the table name is unqualified, so it lands
 * in the service's own schema.
 */
export class CreateDatabaseProfile1796125000000 implements MigrationInterface {
  name = 'CreateDatabaseProfile1796125000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE database_profile (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        profile text NOT NULL CHECK (profile IN ('sandbox', 'production')),
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE database_profile`);
  }
}

export const DATABASE_PROFILE_MIGRATIONS = [CreateDatabaseProfile1796125000000];

/** A sandbox service met a schema that a production service has used. */
export class ProductionDatabaseError extends Error {
  constructor(schema: string) {
    super(
      `The ${schema} schema holds production data (a production service has run on it): the sandbox profile, which loads published demo credentials and synthetic members, refuses to run on it. Use another database for the sandbox.`,
    );
    this.name = 'ProductionDatabaseError';
  }
}

/**
 * Records the profile of a service starting on its schema, and keeps the sandbox away from
 * production data. Production marks the schema for good (a schema once used in production stays
 * production, whatever ran before it); the sandbox claims only an unmarked schema and otherwise
 * throws, before any of its seeding (demo client, sandbox admin, members, synthetic records) runs.
 */
export async function recordDatabaseProfile(dataSource: DataSource, profile: DatabaseProfile): Promise<void> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  if (profile === 'production') {
    await dataSource.query(
      `INSERT INTO database_profile (profile) VALUES ('production')
       ON CONFLICT (singleton) DO UPDATE SET profile = 'production', recorded_at = now() WHERE database_profile.profile <> 'production'`,
    );
    return;
  }
  await dataSource.query(`INSERT INTO database_profile (profile) VALUES ('sandbox') ON CONFLICT (singleton) DO NOTHING`);
  const [row] = (await dataSource.query(`SELECT profile FROM database_profile`)) as { profile: DatabaseProfile }[];
  if (row?.profile === 'production') throw new ProductionDatabaseError(schema);
}

/** The profile recorded for the schema, or undefined when no service has started on it yet. */
export async function recordedDatabaseProfile(dataSource: DataSource): Promise<DatabaseProfile | undefined> {
  const [row] = (await dataSource.query(`SELECT profile FROM database_profile`)) as { profile: DatabaseProfile }[];
  return row?.profile;
}
