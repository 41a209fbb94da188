import { createDataSource, migrateDatabase } from '@payer-access/database';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { DataSource } from 'typeorm';
import { FHIR_SCHEMA } from '../src/app.module';
import { FHIR_MIGRATIONS } from '../src/migrations';
import { ResourceSecurityLabels1796500000000 } from '../src/migrations/1796500000000-resource-security-labels';
import { OneSensitivityMarker1796636447573 } from '../src/migrations/1796636447573-one-sensitivity-marker';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

describe('resource security labels migration', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const source of sources) if (source.isInitialized) await source.destroy();
    await database?.drop();
  });

  const open = async (migrations: (new () => object)[]) => {
    const source = createDataSource({ url: database.url, schema: FHIR_SCHEMA, migrations });
    sources.push(source);
    await migrateDatabase(source);
    return source;
  };

  it('labels resources stored before the column existed from their meta.security, whatever shape it has', async () => {
    const before = FHIR_MIGRATIONS.slice(0, FHIR_MIGRATIONS.indexOf(ResourceSecurityLabels1796500000000));
    const old = await open(before);
    const rows: [string, unknown][] = [
      ['labelled', { meta: { security: [{ system: ACT, code: 'PSY' }, { system: CONF, code: 'R' }, { system: ACT, code: 'PSY' }, { system: 'x', code: 'R' }] } }],
      ['normal', { meta: { security: [{ system: CONF, code: 'N' }] } }],
      ['none', {}],
      ['odd', { meta: { security: { system: ACT, code: 'HIV' } } }],
      ['nulls', { meta: { security: [null, 'R', { system: ACT }, { system: ACT, code: '42CFRPart2' }] } }],
    ];
    for (const [id, body] of rows) {
      await old.query(`INSERT INTO resource (resource_type, id, last_updated, patient_id, content) VALUES ('Condition', $1, now(), 'p1', $2::json)`, [
        id,
        JSON.stringify({ resourceType: 'Condition', id, ...(body as object) }),
      ]);
    }
    await old.destroy();

    const migrated = await open(FHIR_MIGRATIONS);
    const labels: { id: string; security_labels: string[] }[] = await migrated.query('SELECT id, security_labels FROM resource ORDER BY id');
    expect(Object.fromEntries(labels.map((row) => [row.id, row.security_labels]))).toEqual({
      labelled: [`${ACT}|PSY`, `${CONF}|R`],
      normal: [],
      none: [],
      odd: [],
      nulls: [`${ACT}|42CFRPart2`],
    });
  });

  it("folds the payer links' sensitive flag into the one marker: labels only the payer's list knew are kept, then the flag goes", async () => {
    // A database of its own, started before this migration.
    for (const source of sources) if (source.isInitialized) await source.destroy();
    await database.drop();
    database = await createTestDatabase();
    const before = FHIR_MIGRATIONS.slice(0, FHIR_MIGRATIONS.indexOf(OneSensitivityMarker1796636447573));
    const old = await open(before);
    const rows: [string, unknown[]][] = [
      ['violence', [{ system: ACT, code: 'DV' }]],
      ['opioid', [{ system: ACT, code: 'OPIOIDUD' }, { system: CONF, code: 'R' }]],
      ['part2', [{ system: ACT, code: '42CFRPart2' }]],
      ['normal', [{ system: CONF, code: 'N' }]],
    ];
    for (const [id, security] of rows) {
      const content = { resourceType: 'Condition', id, meta: { security } };
      // As the store wrote them then: the payer's flag from its own list, the labels from the member's.
      await old.query(
        `INSERT INTO resource (resource_type, id, last_updated, patient_id, content, sensitive, security_labels)
         VALUES ('Condition', $1, now(), 'p1', $2::json, $3, $4::text[])`,
        [id, JSON.stringify(content), id !== 'normal' && id !== 'part2', id === 'part2' ? [`${ACT}|42CFRPart2`] : id === 'opioid' ? [`${CONF}|R`] : []],
      );
    }
    await old.destroy();

    const migrated = await open(FHIR_MIGRATIONS);
    const labels: { id: string; security_labels: string[] }[] = await migrated.query('SELECT id, security_labels FROM resource ORDER BY id');
    expect(Object.fromEntries(labels.map((row) => [row.id, row.security_labels]))).toEqual({
      violence: [`${ACT}|DV`],
      opioid: [`${ACT}|OPIOIDUD`, `${CONF}|R`],
      part2: [`${ACT}|42CFRPart2`],
      normal: [],
    });
    const columns: unknown[] = await migrated.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'resource' AND column_name = 'sensitive'`, [FHIR_SCHEMA]);
    expect(columns).toEqual([]);
  });
});
