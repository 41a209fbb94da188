import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { Client } from 'pg';
import { migrateAll, SERVICE_SCHEMAS } from './migrate';

describe(migrateAll.name, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('creates every service schema with all its migrations, and is a no-op the second time', async () => {
    const lines: string[] = [];
    await migrateAll(database.url, (line) => lines.push(line));
    expect(lines).toHaveLength(SERVICE_SCHEMAS.length);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      for (const { schema, migrations } of SERVICE_SCHEMAS) {
        const { rows } = await client.query(`SELECT count(*)::int AS applied FROM "${schema}".migrations`);
        expect({ schema, applied: rows[0].applied }).toEqual({ schema, applied: migrations.length });
      }
    } finally {
      await client.end();
    }

    const again: string[] = [];
    await migrateAll(database.url, (line) => again.push(line));
    expect(again).toEqual(SERVICE_SCHEMAS.map(({ schema }) => `${schema}: up to date`));
  });
});
