import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { DataSource } from 'typeorm';
import { createDataSource, migrateDatabase } from '../data-source.factory';
import { DATABASE_PROFILE_MIGRATIONS, ProductionDatabaseError, recordDatabaseProfile, recordedDatabaseProfile } from './database-profile';

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

  it('refuses the sandbox once production has run on a schema, even one the sandbox started', async () => {
    const dataSource = await schema('used_in_production');
    await recordDatabaseProfile(dataSource, 'sandbox');
    await recordDatabaseProfile(dataSource, 'production');
    await recordDatabaseProfile(dataSource, 'production');
    expect(await recordedDatabaseProfile(dataSource)).toBe('production');
    await expect(recordDatabaseProfile(dataSource, 'sandbox')).rejects.toThrow(ProductionDatabaseError);
    await expect(recordDatabaseProfile(dataSource, 'sandbox')).rejects.toThrow(/used_in_production schema holds production data/);
    expect(await dataSource.query('SELECT count(*)::int AS rows FROM database_profile')).toEqual([{ rows: 1 }]);
  });

  it('keeps one row and one answer when instances start at the same time', async () => {
    const dataSource = await schema('racing');
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 4 }, () => recordDatabaseProfile(dataSource, 'production')),
      ...Array.from({ length: 4 }, () => recordDatabaseProfile(dataSource, 'sandbox')),
    ]);
    // Whatever the order, production is recorded; every production start succeeds.
    expect(outcomes.slice(0, 4).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    for (const outcome of outcomes.slice(4)) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ProductionDatabaseError);
    }
    expect(await recordedDatabaseProfile(dataSource)).toBe('production');
    expect(await dataSource.query('SELECT count(*)::int AS rows FROM database_profile')).toEqual([{ rows: 1 }]);
  });

  it('is per schema: production on one service schema says nothing of another', async () => {
    await recordDatabaseProfile(await schema('service_a'), 'production');
    await expect(recordDatabaseProfile(await schema('service_b'), 'sandbox')).resolves.toBeUndefined();
  });
});
