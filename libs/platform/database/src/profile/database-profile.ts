import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

/** The profiles a service runs in (the configuration library defines and validates them). */
export type DatabaseProfile = 'sandbox' | 'production';

/**
 * Creates `database_profile`, one row naming the profile of the first service that started on this
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

/** A service met a schema that the other profile has used. */
export class DatabaseProfileMismatchError extends Error {
  constructor(
    readonly schema: string,
    readonly recorded: DatabaseProfile,
    readonly profile: DatabaseProfile,
  ) {
    super(
      recorded === 'production'
        ? `The ${schema} schema holds production data: the sandbox profile, which loads published demo credentials and synthetic members, refuses to run on it. Use another database for the sandbox.`
        : `The ${schema} schema was set up by the sandbox profile and may hold its published demo credentials and synthetic members: the production profile refuses to run on it. Use a fresh database for production.`,
    );
    this.name = 'DatabaseProfileMismatchError';
  }
}

/**
 * Records the profile of a service starting on its schema, and keeps the two profiles' data apart:
 * the first service to start claims the schema for its profile, and a service of the other profile
 * is refused before it does anything (the sandbox before seeding its demo client, admin, members
 * and synthetic records; production before serving a schema that holds them). Instances starting
 * at the same time agree: one row, written once.
 */
export async function recordDatabaseProfile(dataSource: DataSource, profile: DatabaseProfile): Promise<void> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  await dataSource.query(`INSERT INTO database_profile (profile) VALUES ($1) ON CONFLICT (singleton) DO NOTHING`, [profile]);
  const recorded = await recordedDatabaseProfile(dataSource);
  if (recorded !== undefined && recorded !== profile) throw new DatabaseProfileMismatchError(schema, recorded, profile);
}

/** The profile recorded for the schema, or undefined when no service has started on it yet. */
export async function recordedDatabaseProfile(dataSource: DataSource): Promise<DatabaseProfile | undefined> {
  const [row] = (await dataSource.query(`SELECT profile FROM database_profile`)) as { profile: DatabaseProfile }[];
  return row?.profile;
}
