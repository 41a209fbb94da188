import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { Client } from 'pg';
import { FHIR_SCHEMA } from '../../../apps/fhir/src/app.module';
import { loadSandboxData, migrateAll, SERVICE_SCHEMAS } from './migrate';
import { loadConfig } from '@payer-access/config';
import { DatabaseProfileMismatchError } from '@payer-access/database';
import { InProcessEventBus, sandboxEventSigner } from '@payer-access/events';
import { createFhirApp, FhirConfig } from '@payer-access/fhir-service';
import { sandboxDataSet } from '@payer-access/synthetic-data';

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

  it('refuses to load sandbox data, in the job or in a sandbox service, once a production FHIR service has run', async () => {
    const production = await createTestDatabase();
    try {
      await migrateAll(production.url);
      // Production trusts only the events its producers' configured keys sign.
      const eventKeys = {
        REGISTRATION_EVENT_PUBLIC_KEYS: JSON.stringify({ keys: [(await sandboxEventSigner('registration')).publicJwk] }),
        AUTHORIZATION_EVENT_PUBLIC_KEYS: JSON.stringify({ keys: [(await sandboxEventSigner('authorization')).publicJwk] }),
      };
      const config = loadConfig(FhirConfig, { DATABASE_URL: production.url, PROFILE: 'production', MIGRATE_ON_START: 'false', ...eventKeys });
      const app = await createFhirApp({ ...config, DATABASE_URL: production.url }, { logger: false, eventBus: new InProcessEventBus() });
      await app.init();
      await app.close();

      const settings = { FHIR_LOAD_SANDBOX_DATA: 'true' as const, FHIR_PUBLIC_URL: 'http://localhost:3003', PROFILE: 'sandbox' as const };
      await expect(loadSandboxData(production.url, settings)).rejects.toThrow(DatabaseProfileMismatchError);
      const sandboxConfig = loadConfig(FhirConfig, { DATABASE_URL: production.url, PROFILE: 'sandbox' });
      await expect(createFhirApp({ ...sandboxConfig, DATABASE_URL: production.url }, { logger: false, eventBus: new InProcessEventBus(), sandboxData: sandboxDataSet })).rejects.toThrow(DatabaseProfileMismatchError);

      const client = new Client({ connectionString: production.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT count(*)::int AS resources FROM "${FHIR_SCHEMA}".resource`);
        expect(rows).toEqual([{ resources: 0 }]);
      } finally {
        await client.end();
      }
    } finally {
      await production.drop();
    }
  });
});
