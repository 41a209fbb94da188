import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { DataSource } from 'typeorm';
import { createDataSource, migrateDatabase } from '../data-source.factory';
import { DATABASE_PROFILE_MIGRATIONS, DatabaseProfileMismatchError, recordDatabaseProfile, recordedDatabaseProfile } from './database-profile';

// Real PostgreSQL, real migration: the marker is what keeps sandbox seeding off production data.
jest.setTimeout(30_000);

describe(recordDatabaseProfile.name, () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  async function schema(name: string): Promise<DataSource> {
    const dataSource = createDataSource({ url: database.url, schema: name, migrations: DATABASE_PROFILE_MIGRATIONS, poolSize: 4 });
    await migrateDatabase(dataSource);
    sources.push(dataSource);
    return dataSource;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const dataSource of sources) await dataSource.destroy();
    await database?.drop();
  });

  it('lets the sandbox claim a fresh schema and come back to it', async () => {
    const dataSource = await schema('fresh_sandbox');
    expect(await recordedDatabaseProfile(dataSource)).toBeUndefined();
    await recordDatabaseProfile(dataSource, 'sandbox');
    await recordDatabaseProfile(dataSource, 'sandbox');
    expect(await recordedDatabaseProfile(dataSource)).toBe('sandbox');
  });

  it('refuses the sandbox once production has claimed a schema', async () => {
    const dataSource = await schema('used_in_production');
    await recordDatabaseProfile(dataSource, 'production');
    await recordDatabaseProfile(dataSource, 'production');
    expect(await recordedDatabaseProfile(dataSource)).toBe('production');
    await expect(recordDatabaseProfile(dataSource, 'sandbox')).rejects.toThrow(DatabaseProfileMismatchError);
    await expect(recordDatabaseProfile(dataSource, 'sandbox')).rejects.toThrow(/used_in_production schema holds production data/);
    expect(await dataSource.query('SELECT count(*)::int AS rows FROM database_profile')).toEqual([{ rows: 1 }]);
  });

  it('refuses production on a schema the sandbox set up, which may hold published credentials', async () => {
    const dataSource = await schema('set_up_by_sandbox');
    await recordDatabaseProfile(dataSource, 'sandbox');
    await expect(recordDatabaseProfile(dataSource, 'production')).rejects.toThrow(
      /set_up_by_sandbox schema was set up by the sandbox profile .* the production profile refuses to run on it/,
    );
    expect(await recordedDatabaseProfile(dataSource)).toBe('sandbox');
  });

  it('keeps one row and one answer when instances of both profiles start at the same time', async () => {
    const dataSource = await schema('racing');
    const profiles = ['production', 'sandbox', 'production', 'sandbox', 'production', 'sandbox', 'production', 'sandbox'] as const;
    const outcomes = await Promise.allSettled(profiles.map((profile) => recordDatabaseProfile(dataSource, profile)));
    const winner = await recordedDatabaseProfile(dataSource);
    expect(winner).toBeDefined();
    outcomes.forEach((outcome, index) => {
      if (profiles[index] === winner) expect(outcome.status).toBe('fulfilled');
      else expect(outcome).toEqual({ status: 'rejected', reason: expect.any(DatabaseProfileMismatchError) });
    });
    expect(await dataSource.query('SELECT count(*)::int AS rows FROM database_profile')).toEqual([{ rows: 1 }]);
  });

  it('is per schema: production on one service schema says nothing of another', async () => {
    await recordDatabaseProfile(await schema('service_a'), 'production');
    await expect(recordDatabaseProfile(await schema('service_b'), 'sandbox')).resolves.toBeUndefined();
  });
});
