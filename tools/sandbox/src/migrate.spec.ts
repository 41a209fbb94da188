import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { Client } from 'pg';
import { FHIR_SCHEMA } from '../../../apps/fhir/src/app.module';
import { loadSandboxData, migrateAll, SERVICE_SCHEMAS } from './migrate';

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

  it('loads the sandbox data set into the empty FHIR store in the sandbox profile only, and only once', async () => {
    await migrateAll(database.url);
    const settings = { FHIR_LOAD_SANDBOX_DATA: 'true' as const, FHIR_PUBLIC_URL: 'http://localhost:3003' };
    expect(await loadSandboxData(database.url, { ...settings, PROFILE: 'production' })).toBe(0);
    expect(await loadSandboxData(database.url, { ...settings, PROFILE: 'sandbox', FHIR_LOAD_SANDBOX_DATA: 'false' })).toBe(0);

    const lines: string[] = [];
    const loaded = await loadSandboxData(database.url, { ...settings, PROFILE: 'sandbox' }, (line) => lines.push(line));
    expect(loaded).toBeGreaterThan(148);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${FHIR_SCHEMA}: loaded the sandbox data set, ${loaded} resources in \\d+ ms \\(0 rejected\\)$`))]);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS eobs FROM "${FHIR_SCHEMA}".resource WHERE resource_type = 'ExplanationOfBenefit' AND patient_id = '-20140000000024'`,
      );
      expect(rows[0].eobs).toBe(148);
    } finally {
      await client.end();
    }
    expect(await loadSandboxData(database.url, { ...settings, PROFILE: 'sandbox' })).toBe(0);
  });
});
