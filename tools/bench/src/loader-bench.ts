import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDataSource, migrateDatabase } from '@payer-access/database';
import { createFhirSearchRegistry, FHIR_MIGRATIONS, FHIR_SCHEMA, NdjsonLoader, ResourceRepository, SearchIndexer } from '@payer-access/fhir-service';
import { generateSyntheticData } from '@payer-access/synthetic-data';
import { createTestDatabase } from '@payer-access/testing';
import type { Pool } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { log } from './local-server';
import { cpuMsOf } from './process-figures';

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
  /** CPU time per resource: the bench process (loader and its worker threads), and the database's backends. */
  readonly loaderNodeCpuUs: number;
  readonly loaderDatabaseCpuUs: number;
  readonly copyDatabaseCpuUs: number;
}

/**
 * The NDJSON loader beside the machine's own limit, in one run: synthetic claims written to an NDJSON
 * file (not timed), loaded through the real loader (parse, label, index, store), then every row it
 * stored (resources and index rows) exported and COPYed into empty tables of the same definition,
 * indexes and compression included, in one transaction with the loader's commit settings.
 */
export async function runLoaderBench(options: { readonly eobs: number; readonly workers?: number; readonly profileDir?: string }): Promise<LoaderBenchResult> {
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
    const databaseCpu = new DatabaseCpu(dataSource);
    await databaseCpu.start();
    const profile = options.profileDir === undefined ? undefined : await startProfile();
    const nodeCpu = process.cpuUsage();
    const report = await loader.loadNdjson(createReadStream(input), {
      progressEvery: Math.max(10_000, Math.round(options.eobs / 10)),
      onProgress: (progress) => log(`  ${progress.loaded} loaded, ${progress.resourcesPerSecond} resources/s`),
    });
    const nodeCpuMs = cpuMs(process.cpuUsage(nodeCpu));
    if (profile && options.profileDir) await profile.stop(options.profileDir);
    const loaderDatabaseCpuMs = await databaseCpu.stop();
    if (report.rejected > 0) throw new Error(`the loader refused ${report.rejected} synthetic resources: ${JSON.stringify(report.rejections.slice(0, 3))}`);
    const loaderSeconds = report.milliseconds / 1000;
    const perResource = (ms: number) => Math.round((ms * 1000) / Math.max(report.loaded, 1));
    log(
      `loader: ${report.loaded} resources in ${loaderSeconds.toFixed(1)} s = ${report.resourcesPerSecond} resources/s; ` +
        `CPU per resource: ${perResource(nodeCpuMs)} µs loader process, ${perResource(loaderDatabaseCpuMs)} µs PostgreSQL`,
    );

    const copy = await plainCopy(dataSource, directory);
    const copyPerSecond = Math.round(report.loaded / copy.seconds);
    log(`plain COPY of the same rows: ${copy.seconds.toFixed(1)} s = ${copyPerSecond} resources/s; CPU per resource: ${perResource(copy.databaseCpuMs)} µs PostgreSQL`);
    return {
      resources: report.loaded,
      loaderSeconds,
      loaderPerSecond: report.resourcesPerSecond,
      copySeconds: copy.seconds,
      copyPerSecond,
      loaderNodeCpuUs: perResource(nodeCpuMs),
      loaderDatabaseCpuUs: perResource(loaderDatabaseCpuMs),
      copyDatabaseCpuUs: perResource(copy.databaseCpuMs),
    };
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
      '| NDJSON load | resources | seconds | resources/s | CPU µs per resource: loader process | CPU µs per resource: PostgreSQL |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| plain COPY of the same rows (resources + index rows) | ${result.resources} | ${result.copySeconds.toFixed(1)} | ${result.copyPerSecond} | – | ${result.copyDatabaseCpuUs} |`,
      `| loader (parse, label, index, store) | ${result.resources} | ${result.loaderSeconds.toFixed(1)} | ${result.loaderPerSecond} (${share.toFixed(1)} % of COPY) | ${result.loaderNodeCpuUs} | ${result.loaderDatabaseCpuUs} |`,
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
async function plainCopy(dataSource: DataSource, directory: string): Promise<{ seconds: number; databaseCpuMs: number }> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const client = await pool.connect();
  try {
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    for (const table of TABLES) {
      await pipeline(client.query(copyTo(`COPY ${table} TO STDOUT`)), createWriteStream(path.join(directory, `${table}.copy`)));
      await client.query(`CREATE TABLE plain_${table} (LIKE ${table} INCLUDING ALL)`);
    }
    // The export's dirty pages are written out before timing, so COPY does not pay for them.
    await client.query('CHECKPOINT').catch(() => undefined);
    const cpuBefore = backendCpuMs(pid);
    const started = performance.now();
    await client.query('BEGIN; SET LOCAL synchronous_commit = off');
    for (const table of TABLES) await pipeline(createReadStream(path.join(directory, `${table}.copy`)), client.query(copyFrom(`COPY plain_${table} FROM STDIN`)));
    await client.query('COMMIT');
    return { seconds: (performance.now() - started) / 1000, databaseCpuMs: backendCpuMs(pid) - cpuBefore };
  } finally {
    client.release();
  }
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** A PostgreSQL backend's CPU time so far (the bench runs beside the server, on Linux); 0 when it is gone. */
function backendCpuMs(pid: number): number {
  try {
    return cpuMsOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/**
 * CPU time the database's client backends spend during the load: unlike a rate, this hardly depends
 * on what else the host runs. Backends are listed at the end too (the loader opens its connections
 * during the load and returns them to the pool, where they stay open).
 */
class DatabaseCpu {
  private readonly before = new Map<number, number>();

  constructor(private readonly dataSource: DataSource) {}

  async start(): Promise<void> {
    for (const pid of await this.backends()) this.before.set(pid, backendCpuMs(pid));
  }

  async stop(): Promise<number> {
    let total = 0;
    for (const pid of await this.backends()) total += backendCpuMs(pid) - (this.before.get(pid) ?? 0);
    return total;
  }

  private async backends(): Promise<number[]> {
    const rows: { pid: number }[] = await this.dataSource.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
    );
    return rows.map((row) => row.pid);
  }
}

/** The V8 CPU profile of the bench's main thread (where the loader streams to PostgreSQL) during the load. */
async function startProfile(): Promise<{ stop: (directory: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    stop: async (directory) => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(directory, { recursive: true });
      const file = path.join(directory, `loader-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      log(`cpu profile written: ${file}`);
    },
  };
}
