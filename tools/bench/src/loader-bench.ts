import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDataSource, migrateDatabase } from '@payer-access/database';
import { createFhirSearchRegistry, FHIR_MIGRATIONS, FHIR_SCHEMA, NdjsonLoader, ndjsonLines, ResourceRepository, SearchIndexer } from '@payer-access/fhir-service';
import { generateSyntheticData } from '@payer-access/synthetic-data';
import { createTestDatabase } from '@payer-access/testing';
import type { Pool } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { log } from './local-server';

const PUBLIC_URL = 'http://localhost:3003';
const EOBS_PER_PATIENT = 100;
const TABLES = ['resource', 'search_token', 'search_date', 'search_reference', 'search_string'] as const;

export interface LoaderBenchResult {
  readonly resources: number;
  readonly loaderSeconds: number;
  readonly loaderPerSecond: number;
  /** The same rows (resources and index rows) by a plain COPY into tables of the same definition. */
  readonly copySeconds: number;
  readonly copyPerSecond: number;
}

/**
 * The NDJSON loader beside the machine's own limit, in one run: synthetic claims written to an NDJSON
 * file (not timed), loaded through the real loader (parse, label, index, store), then every row it
 * stored (resources and index rows) exported and COPYed into empty tables of the same definition,
 * indexes and compression included, in one transaction with the loader's commit settings.
 */
export async function runLoaderBench(options: { readonly eobs: number; readonly workers?: number }): Promise<LoaderBenchResult> {
  const database = await createTestDatabase('pa_bench_load');
  const dataSource = createDataSource({ url: database.url, schema: FHIR_SCHEMA, migrations: FHIR_MIGRATIONS });
  const directory = mkdtempSync(path.join(tmpdir(), 'payer-access-load-bench-'));
  try {
    await dataSource.initialize();
    await migrateDatabase(dataSource);
    const input = path.join(directory, 'input.ndjson');
    const patients = Math.max(1, Math.ceil(options.eobs / EOBS_PER_PATIENT));
    log(`writing ${patients} patients x ${EOBS_PER_PATIENT} EOBs as NDJSON`);
    await writeNdjson(input, generateSyntheticData({ extraPatients: patients, eobsPerPatient: EOBS_PER_PATIENT, includeSandboxMembers: false, clinical: false }));

    const registry = createFhirSearchRegistry({ FHIR_PUBLIC_URL: PUBLIC_URL });
    const loader = new NdjsonLoader(new ResourceRepository(dataSource, new SearchIndexer(registry)), new Set(registry.resourceTypes), undefined, {
      publicUrl: PUBLIC_URL,
      workers: options.workers,
    });
    const report = await loader.load(ndjsonLines(createReadStream(input)), {
      progressEvery: Math.max(10_000, Math.round(options.eobs / 10)),
      onProgress: (progress) => log(`  ${progress.loaded} loaded, ${progress.resourcesPerSecond} resources/s`),
    });
    if (report.rejected > 0) throw new Error(`the loader refused ${report.rejected} synthetic resources: ${JSON.stringify(report.rejections.slice(0, 3))}`);
    const loaderSeconds = report.milliseconds / 1000;
    log(`loader: ${report.loaded} resources in ${loaderSeconds.toFixed(1)} s = ${report.resourcesPerSecond} resources/s`);

    const copySeconds = await plainCopy(dataSource, directory);
    const copyPerSecond = Math.round(report.loaded / copySeconds);
    log(`plain COPY of the same rows: ${copySeconds.toFixed(1)} s = ${copyPerSecond} resources/s`);
    return { resources: report.loaded, loaderSeconds, loaderPerSecond: report.resourcesPerSecond, copySeconds, copyPerSecond };
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  }
}

export function printLoaderResult(result: LoaderBenchResult): void {
  const share = (100 * result.loaderPerSecond) / result.copyPerSecond;
  process.stdout.write(
    [
      '',
      '| NDJSON load | resources | seconds | resources/s |',
      '| --- | ---: | ---: | ---: |',
      `| plain COPY of the same rows (resources + index rows) | ${result.resources} | ${result.copySeconds.toFixed(1)} | ${result.copyPerSecond} |`,
      `| loader (parse, label, index, store) | ${result.resources} | ${result.loaderSeconds.toFixed(1)} | ${result.loaderPerSecond} (${share.toFixed(1)} % of COPY) |`,
      `loader: ${result.loaderPerSecond} resources/s (target >= 20,000): ${result.loaderPerSecond >= 20_000 ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
}

async function writeNdjson(file: string, resources: Iterable<unknown>): Promise<void> {
  const out = createWriteStream(file);
  for (const resource of resources) {
    if (!out.write(`${JSON.stringify(resource)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Exports every table the loader filled (not timed), then times COPY of those files into empty
 * copies of the tables (`LIKE … INCLUDING ALL`: same columns, indexes, lz4 compression).
 */
async function plainCopy(dataSource: DataSource, directory: string): Promise<number> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const client = await pool.connect();
  try {
    for (const table of TABLES) {
      await pipeline(client.query(copyTo(`COPY ${table} TO STDOUT`)), createWriteStream(path.join(directory, `${table}.copy`)));
      await client.query(`CREATE TABLE plain_${table} (LIKE ${table} INCLUDING ALL)`);
    }
    // The export's dirty pages are written out before timing, so COPY does not pay for them.
    await client.query('CHECKPOINT').catch(() => undefined);
    const started = performance.now();
    await client.query('BEGIN; SET LOCAL synchronous_commit = off');
    for (const table of TABLES) await pipeline(createReadStream(path.join(directory, `${table}.copy`)), client.query(copyFrom(`COPY plain_${table} FROM STDIN`)));
    await client.query('COMMIT');
    return (performance.now() - started) / 1000;
  } finally {
    client.release();
  }
}
