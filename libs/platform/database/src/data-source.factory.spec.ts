import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { createDataSource, migrateDatabase, pingDatabase } from './data-source.factory';

class CreateWidget1700000000000 implements MigrationInterface {
  name = 'CreateWidget1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE widget (id serial PRIMARY KEY, label text NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE widget');
  }
}

describe('createDataSource', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('creates the service schema, runs migrations into it once, and tracks them there', async () => {
    const dataSource = createDataSource({ url: database.url, schema: 'widgets', migrations: [CreateWidget1700000000000] });
    try {
      expect(await migrateDatabase(dataSource)).toEqual(['CreateWidget1700000000000']);
      expect(await migrateDatabase(dataSource)).toEqual([]);

      const tables = await dataSource.query(
        `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = 'widgets' ORDER BY table_name`,
      );
      expect(tables).toEqual([
        { table_schema: 'widgets', table_name: 'migrations' },
        { table_schema: 'widgets', table_name: 'widget' },
      ]);
      expect(await pingDatabase(dataSource)).toBe(true);
    } finally {
      await dataSource.destroy();
    }
  });

  it('keeps two services apart: the same table name lives in each schema', async () => {
    const first = createDataSource({ url: database.url, schema: 'first_service', migrations: [CreateWidget1700000000000] });
    const second = createDataSource({ url: database.url, schema: 'second_service', migrations: [CreateWidget1700000000000] });
    try {
      await migrateDatabase(first);
      await migrateDatabase(second);
      await first.query(`INSERT INTO widget (label) VALUES ('only in first')`);
      expect(await second.query('SELECT * FROM widget')).toEqual([]);
      expect(await first.query('SELECT label FROM widget')).toEqual([{ label: 'only in first' }]);
    } finally {
      await first.destroy();
      await second.destroy();
    }
  });

  it('refuses a schema name that could escape quoting', () => {
    expect(() => createDataSource({ url: database.url, schema: 'x"; DROP SCHEMA public; --' })).toThrow(/Invalid schema name/);
  });

  it('reports an unreachable database as not ready instead of throwing', async () => {
    const dataSource = createDataSource({ url: database.url, schema: 'widgets' });
    await dataSource.initialize();
    await dataSource.destroy();
    expect(await pingDatabase(dataSource)).toBe(false);
  });
});
