import type { Resource } from '@medplum/fhirtypes';
import { createDataSource, migrateDatabase } from '@payer-access/database';
import { DEFAULT_SENSITIVE_CODES } from '@payer-access/fhir-models';
import { generateSyntheticData } from '@payer-access/synthetic-data';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { DataSource } from 'typeorm';
import { FHIR_SCHEMA } from '../src/app.module';
import { checkLoadItem } from '../src/loader/copy-batch';
import { NdjsonLoader, type LoadProgress } from '../src/loader/ndjson-loader';
import { FHIR_MIGRATIONS } from '../src/migrations';
import { ResourceRepository } from '../src/store/resource.repository';
import { createFhirSearchRegistry } from '../src/store/search-registry';
import { SearchIndexer } from '../src/store/search-indexer';

const PUBLIC_URL = 'http://localhost:3003';
const registry = createFhirSearchRegistry({ FHIR_PUBLIC_URL: PUBLIC_URL });
const TYPES = new Set(registry.resourceTypes);
const NOW = new Date('2026-03-04T05:06:07.089Z');
const BATCH = 40;

/** Resources that exercise what the synthetic set does not: escaping, a missing lastUpdated, a repeat. */
const EXTRAS: Resource[] = [
  {
    resourceType: 'Patient',
    id: 'escapes',
    name: [{ family: 'Tab\there', given: ['Back\\slash', 'New\nline', 'Carriage\rreturn', 'Ünïcödé', '\\N'] }],
    address: [{ line: ['1 Main St\\', '{"quoted"}'], city: 'Zürich' }],
  } as Resource,
  { resourceType: 'Organization', id: 'no-last-updated', name: 'Stamped at load' } as Resource,
  { resourceType: 'Organization', id: 'no-last-updated', name: 'Stamped at load, second version in the same batch' } as Resource,
];

function lines(): string[] {
  // The repeat comes first, so both versions fall in the first batch.
  return [...EXTRAS.slice(1), ...generateSyntheticData({ extraPatients: 12, eobsPerPatient: 15 }), EXTRAS[0]].map((resource) => JSON.stringify(resource));
}

async function openStore(database: TestDatabase): Promise<{ dataSource: DataSource; repository: ResourceRepository }> {
  const dataSource = createDataSource({ url: database.url, schema: FHIR_SCHEMA, migrations: FHIR_MIGRATIONS });
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  return { dataSource, repository: new ResourceRepository(dataSource, new SearchIndexer(registry), () => NOW) };
}

/** Every stored column but `seq` itself (its order is compared through the row order), index rows by their resource. */
async function storedRows(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  const byResource = (table: string, columns: string) =>
    dataSource.query(`SELECT r.resource_type, r.id, ${columns} FROM ${table} x JOIN resource r ON r.seq = x.resource_seq ORDER BY 1, 2, 3, 4, 5, 6`);
  return {
    resource: await dataSource.query(
      `SELECT resource_type, id, version, last_updated, patient_id, content::text AS content, record_date, security_labels FROM resource ORDER BY seq`,
    ),
    search_token: await byResource('search_token', 'x.resource_type AS indexed_type, x.param, x.system, x.code'),
    search_date: await byResource('search_date', 'x.resource_type AS indexed_type, x.param, x.low, x.high'),
    search_reference: await byResource('search_reference', 'x.resource_type AS indexed_type, x.param, x.target_type, x.target_id'),
    search_string: await byResource('search_string', 'x.resource_type AS indexed_type, x.param, x.value, NULL AS unused'),
  };
}

/**
 * The loader stores batches through COPY, prepared in worker threads. What it stores must be what
 * the repository's `write` (the path it replaced, still used by the seeder and for retries) stores
 * for the same input in the same batches: every column, every index row, versions on a re-load.
 */
describe('NDJSON loader through COPY', () => {
  let copyDatabase: TestDatabase;
  let writeDatabase: TestDatabase;
  let copyStore: Awaited<ReturnType<typeof openStore>>;
  let writeStore: Awaited<ReturnType<typeof openStore>>;

  beforeAll(async () => {
    [copyDatabase, writeDatabase] = await Promise.all([createTestDatabase('pa_fhir_copy'), createTestDatabase('pa_fhir_write')]);
    copyStore = await openStore(copyDatabase);
    writeStore = await openStore(writeDatabase);
  });

  afterAll(async () => {
    await copyStore?.dataSource.destroy();
    await writeStore?.dataSource.destroy();
    await copyDatabase?.drop();
    await writeDatabase?.drop();
  });

  /** The previous loader's path: each batch checked and labelled, then `write`. */
  async function loadThroughWrite(input: readonly string[]): Promise<void> {
    for (let start = 0; start < input.length; start += BATCH) {
      const resources = input.slice(start, start + BATCH).map((line) => checkLoadItem(line, { supportedTypes: TYPES, sensitiveCodes: DEFAULT_SENSITIVE_CODES }));
      await writeStore.repository.write(resources as Resource[], { bulk: true });
    }
  }

  it('stores the same rows as the repository write path, and the same again on a re-load', async () => {
    const input = lines();
    const loader = new NdjsonLoader(copyStore.repository, TYPES, DEFAULT_SENSITIVE_CODES, { publicUrl: PUBLIC_URL, workers: 2 });
    const progress: LoadProgress[] = [];
    const report = await loader.load(input, { batchSize: BATCH, progressEvery: 200, onProgress: (step) => progress.push(step) });
    await loadThroughWrite(input);

    expect(report).toMatchObject({ read: input.length, loaded: input.length - 1, rejected: 0 });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1].loaded).toBeGreaterThan(progress[0].loaded);
    const loaded = await storedRows(copyStore.dataSource);
    // Not a comparison of two empty stores: the set has labelled, dated and stamped resources and every index kind.
    expect(loaded.resource).toHaveLength(input.length - 1);
    expect(loaded.resource.filter((row) => (row as { security_labels: string[] }).security_labels.length > 0).length).toBeGreaterThan(0);
    expect(loaded.resource.filter((row) => (row as { record_date: Date | null }).record_date !== null).length).toBeGreaterThan(0);
    expect(loaded.resource).toContainEqual(expect.objectContaining({ id: 'no-last-updated', last_updated: NOW }));
    for (const table of ['search_token', 'search_date', 'search_reference', 'search_string']) expect(loaded[table].length).toBeGreaterThan(0);
    expect(loaded).toEqual(await storedRows(writeStore.dataSource));

    await loader.load(input, { batchSize: BATCH });
    await loadThroughWrite(input);
    const reloaded = await storedRows(copyStore.dataSource);
    expect(reloaded.resource.every((row) => (row as { version: number }).version === 2)).toBe(true);
    expect(reloaded.search_token).toHaveLength(loaded.search_token.length);
    expect(reloaded).toEqual(await storedRows(writeStore.dataSource));
  });

  it('keeps input order in seq when batches that replace stored resources bring new ones too', async () => {
    const organization = (id: string) => JSON.stringify({ resourceType: 'Organization', id, name: id });
    const loader = new NdjsonLoader(copyStore.repository, TYPES, DEFAULT_SENSITIVE_CODES, { publicUrl: PUBLIC_URL, workers: 2 });
    await loader.load(['order-stored-0', 'order-stored-1'].map(organization), { batchSize: 10 });
    // Every other batch of 10 starts with a stored resource (so it goes through the staging tables),
    // the others are all new (COPYed straight in); several batches are prepared, and their seq values
    // drawn, before the first is written.
    const input = Array.from({ length: 60 }, (_, index) => organization(index % 20 === 0 ? `order-stored-${(index / 20) % 2}` : `order-new-${index}`));
    const report = await loader.load(input, { batchSize: 10 });
    expect(report).toMatchObject({ read: 60, loaded: 60, rejected: 0 });
    const rows: { id: string }[] = await copyStore.dataSource.query(`SELECT id FROM resource WHERE id LIKE 'order-new-%' ORDER BY seq`);
    const expected = input.map((line) => (JSON.parse(line) as { id: string }).id).filter((id) => id.startsWith('order-new-'));
    expect(rows.map((row) => row.id)).toEqual(expected);
    const [stored] = await copyStore.dataSource.query(`SELECT max(seq) AS seq FROM resource WHERE id LIKE 'order-stored-%'`);
    const [first] = await copyStore.dataSource.query(`SELECT min(seq) AS seq FROM resource WHERE id LIKE 'order-new-%'`);
    // The stored ones kept their places, before everything new.
    expect(BigInt(stored.seq)).toBeLessThan(BigInt(first.seq));
  });

  it('reports bad lines with their line numbers and stores the rest of their batches', async () => {
    const good = (id: string) => JSON.stringify({ resourceType: 'Organization', id, name: id });
    const input = [
      ...Array.from({ length: 30 }, (_, index) => good(`bad-lines-${index}`)),
      'not json',
      '',
      '{"resourceType":"Observation","id":"orphan","status":"final","code":{"text":"x"}}',
      // Valid JSON PostgreSQL cannot store: text with a NUL character. Its batch is retried one by one.
      JSON.stringify({ resourceType: 'Organization', id: 'nul-name', name: 'a\u0000b' }),
      ...Array.from({ length: 30 }, (_, index) => good(`bad-lines-late-${index}`)),
    ];
    const loader = new NdjsonLoader(copyStore.repository, TYPES, DEFAULT_SENSITIVE_CODES, { publicUrl: PUBLIC_URL, workers: 1 });
    const report = await loader.load(input, { batchSize: 20 });
    expect(report).toMatchObject({ read: 63, loaded: 60, rejected: 3 });
    expect(report.rejections).toEqual([
      { line: 31, reason: 'not valid JSON' },
      { line: 33, reason: 'Observation/orphan refers to no Patient (patient, subject or beneficiary)' },
      { line: 34, reason: 'Organization/nul-name: could not be stored' },
    ]);
    const [{ n }] = await copyStore.dataSource.query(`SELECT count(*)::int AS n FROM resource WHERE id LIKE 'bad-lines-%'`);
    expect(n).toBe(60);
  });

  it('loads NDJSON bytes cut anywhere, even inside a character, as it loads the same lines', async () => {
    const [bytesDatabase, linesDatabase] = await Promise.all([createTestDatabase('pa_fhir_ndjson_bytes'), createTestDatabase('pa_fhir_ndjson_lines')]);
    const [bytesStore, linesStore] = [await openStore(bytesDatabase), await openStore(linesDatabase)];
    try {
      const input = [
        ...lines(),
        '',
        'not json',
        '   ',
        JSON.stringify({ resourceType: 'Organization', id: 'last-line', name: 'Ünïcödé ✓ 😀' }),
      ];
      // No newline after the last line; 7-byte chunks cut lines and multi-byte characters alike.
      const bytes = Buffer.from(input.join('\n'), 'utf8');
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let start = 0; start < bytes.length; start += 7) yield bytes.subarray(start, start + 7);
      }
      const loader = (store: typeof bytesStore) => new NdjsonLoader(store.repository, TYPES, DEFAULT_SENSITIVE_CODES, { publicUrl: PUBLIC_URL, workers: 1 });
      const fromBytes = await loader(bytesStore).loadNdjson(chunks(), { batchSize: BATCH });
      const fromLines = await loader(linesStore).load(input, { batchSize: BATCH });

      const { milliseconds: _bytesMs, resourcesPerSecond: _bytesRate, ...bytesReport } = fromBytes;
      const { milliseconds: _linesMs, resourcesPerSecond: _linesRate, ...linesReport } = fromLines;
      expect(bytesReport).toEqual(linesReport);
      expect(bytesReport).toMatchObject({ read: input.length - 2, rejected: 1, rejections: [{ line: input.length - 2, reason: 'not valid JSON' }] });
      expect(await storedRows(bytesStore.dataSource)).toEqual(await storedRows(linesStore.dataSource));
      const [{ name }] = await bytesStore.dataSource.query(`SELECT content->>'name' AS name FROM resource WHERE id = 'last-line'`);
      expect(name).toBe('Ünïcödé ✓ 😀');
    } finally {
      await Promise.all([bytesStore.dataSource.destroy(), linesStore.dataSource.destroy()]);
      await Promise.all([bytesDatabase.drop(), linesDatabase.drop()]);
    }
  });
});
