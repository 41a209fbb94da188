import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, createClientChangedEvent } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus, platformTopicSpecs, sandboxProducers } from '@payer-access/events';
import { createFhirApp, FhirConfig, fhirBaseUrl, NdjsonLoader } from '@payer-access/fhir-service';
import { generateSyntheticData } from '@payer-access/synthetic-data';
import { createTestDatabase } from '@payer-access/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import type { LoadResult } from './latency';
import { listen, log, port } from './local-server';
import { runPlatformBench } from './platform-bench';

const run = promisify(execFile);
const BASE_PATH = '/fhir/sb/R4/patientaccess';
const MEMBER = '-20140000000024';
const CLIENT_ID = 'JVjR77J3j4BaRVqoDtLx';
const EOBS_PER_PATIENT = 100;

interface Row {
  readonly size: string;
  readonly target: string;
  readonly result: LoadResult;
}

/**
 * `npm run bench`: the fhir part, then the platform part (platform-bench.ts); `--only fhir` or
 * `--only platform` runs one of them.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      connections: { type: 'string', default: '32' },
      seconds: { type: 'string', default: '10' },
      sizes: { type: 'string', default: '10000,1000000' },
      trials: { type: 'string', default: '50' },
      'poll-interval': { type: 'string', default: '5' },
    },
  });
  if (values.only !== undefined && values.only !== 'fhir' && values.only !== 'platform') throw new Error(`--only takes fhir or platform, not ${values.only}`);
  const connections = Number(values.connections);
  const seconds = Number(values.seconds);
  if (values.only !== 'platform') await fhirBench(connections, seconds, values.sizes.split(',').map(Number));
  if (values.only !== 'fhir') await runPlatformBench({ connections, seconds, trials: Number(values.trials), pollIntervalMs: Number(values['poll-interval']) });
}

/**
 * Loads synthetic data through the real NDJSON loader (printing its rate), then measures the fhir
 * service next to a bare Node HTTP server, at 32 connections, with 10,000 and then 1,000,000 EOBs
 * in the store. The store grows from 10,000 to 1,000,000 by copying the loaded claims to new
 * patients inside PostgreSQL, which takes minutes rather than the loader's longer run.
 */
async function fhirBench(connections: number, seconds: number, sizes: number[]): Promise<void> {
  const database = await createTestDatabase('pa_bench');
  const keys = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwksServer = await listen(createServer((_request, response) => response.end(JSON.stringify({ keys: [jwk] }))));
  const issuer = `http://127.0.0.1:${port(jwksServer)}`;

  const bus = await approvingBus();
  // Registration does not run here, so no heartbeat vouches for the client statuses: the staleness
  // bound is off (the check is one comparison per request either way).
  const config = loadConfig(FhirConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: issuer, CLIENT_STATUS_MAX_STALENESS_SECONDS: '0' });
  const app: INestApplication = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: ['error'], eventBus: bus });
  await app.listen(0, '127.0.0.1');
  const fhirPort = port(app.getHttpServer() as Server);
  const dataSource = app.get(DataSource);
  const token = await new SignJWT({ client_id: CLIENT_ID, scope: 'openid profile patient/*.read', patient: MEMBER, grant_id: 'bench-grant' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'bench' })
    .setIssuer(issuer)
    .setAudience(fhirBaseUrl(config))
    .setSubject('bench-member')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(keys.privateKey);

  const rows: Row[] = [];
  try {
    // 1. The loader, through its real path: generate, validate, index, store.
    const firstSize = sizes[0];
    const extraPatients = Math.max(0, Math.round((firstSize - 192) / EOBS_PER_PATIENT));
    log(`loading the sandbox members and ${extraPatients} patients x ${EOBS_PER_PATIENT} EOBs through the NDJSON loader`);
    const report = await app.get(NdjsonLoader).load(generateSyntheticData({ extraPatients, eobsPerPatient: EOBS_PER_PATIENT, clinical: false }), {
      onProgress: (progress) => log(`  ${progress.loaded} loaded, ${progress.resourcesPerSecond} resources/s`),
      progressEvery: 5000,
    });
    log(`loader: ${report.loaded} resources in ${(report.milliseconds / 1000).toFixed(1)} s = ${report.resourcesPerSecond} resources/s (${report.rejected} rejected)`);
    await dataSource.query('VACUUM ANALYZE');

    // 2. A bare Node HTTP server answering the same Patient JSON, measured in the same run.
    const [{ content }] = await dataSource.query(`SELECT content FROM resource WHERE resource_type = 'Patient' AND id = $1`, [MEMBER]);
    const patientJson = JSON.stringify(content);
    const bare = await listen(
      createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/fhir+json; charset=utf-8' });
        response.end(patientJson);
      }),
    );
    const bareUrl = `http://127.0.0.1:${port(bare)}/Patient/${MEMBER}`;
    const patientUrl = `http://127.0.0.1:${fhirPort}${BASE_PATH}/Patient/${MEMBER}`;
    const searchUrl = `http://127.0.0.1:${fhirPort}${BASE_PATH}/ExplanationOfBenefit?patient=${MEMBER}&_count=10&startIndex=70`;

    for (const size of sizes) {
      const eobs = await countEobs(dataSource);
      // The loader's set is within a percent of the first size; only larger sizes are grown to.
      if (eobs < size * 0.99) await grow(dataSource, size);
      const held = await countEobs(dataSource);
      log(`measuring with ${held} EOBs in the store (${connections} connections, ${seconds} s each)`);
      rows.push({ size: held.toLocaleString('en-US'), target: 'bare Node http: Patient JSON', result: await measure(bareUrl, connections, seconds) });
      rows.push({ size: held.toLocaleString('en-US'), target: 'fhir: Patient read', result: await measure(patientUrl, connections, seconds, token) });
      rows.push({ size: held.toLocaleString('en-US'), target: 'fhir: EOB search page (10 of 148)', result: await measure(searchUrl, connections, seconds, token) });
    }
    bare.close();
    printTable(rows, report.resourcesPerSecond);
  } finally {
    await app.close();
    await bus.stop();
    jwksServer.close();
    await database.drop();
  }
}

/** Copies made so far; each copy of the claims goes to patients of its own. */
let generationsDone = 0;

/**
 * Copies the loaded synthetic patients' claims to new patients, index rows included, until the
 * store holds `target` EOBs. Copies keep their search values, so searches behave as on loaded data.
 */
async function grow(dataSource: DataSource, target: number): Promise<void> {
  const source: { n: number }[] = await dataSource.query(
    `SELECT count(*)::int AS n FROM resource WHERE resource_type = 'ExplanationOfBenefit' AND patient_id LIKE '-3000%' AND id NOT LIKE '%-g%'`,
  );
  const perGeneration = source[0].n;
  while ((await countEobs(dataSource)) < target) {
    const missing = target - (await countEobs(dataSource));
    const generations = Math.max(1, Math.min(10, Math.floor(missing / perGeneration)));
    const started = performance.now();
    await dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL synchronous_commit = off');
      await manager.query(`DROP TABLE IF EXISTS clone_map`);
      await manager.query(
        `CREATE TEMP TABLE clone_map ON COMMIT DROP AS
         SELECT r.seq AS old_seq, g, nextval(pg_get_serial_sequence('resource', 'seq')) AS new_seq
         FROM resource r CROSS JOIN generate_series($1::int, $2::int) g
         WHERE r.resource_type = 'ExplanationOfBenefit' AND r.patient_id LIKE '-3000%' AND r.id NOT LIKE '%-g%'`,
        [generationsDone + 1, generationsDone + generations],
      );
      await manager.query(
        `INSERT INTO resource (seq, resource_type, id, version, last_updated, patient_id, content)
         SELECT m.new_seq, r.resource_type, r.id || '-g' || m.g, 1, r.last_updated, r.patient_id || 'g' || m.g,
                jsonb_set(jsonb_set(r.content::jsonb, '{id}', to_jsonb(r.id || '-g' || m.g)), '{patient,reference}', to_jsonb('Patient/' || r.patient_id || 'g' || m.g))::json
         FROM clone_map m JOIN resource r ON r.seq = m.old_seq`,
      );
      await manager.query(`INSERT INTO search_token SELECT m.new_seq, t.resource_type, t.param, t.system, t.code FROM clone_map m JOIN search_token t ON t.resource_seq = m.old_seq`);
      await manager.query(`INSERT INTO search_date SELECT m.new_seq, d.resource_type, d.param, d.low, d.high FROM clone_map m JOIN search_date d ON d.resource_seq = m.old_seq`);
      await manager.query(
        `INSERT INTO search_reference SELECT m.new_seq, x.resource_type, x.param, x.target_type,
                CASE WHEN x.param = 'patient' THEN x.target_id || 'g' || m.g ELSE x.target_id END
         FROM clone_map m JOIN search_reference x ON x.resource_seq = m.old_seq`,
      );
      await manager.query(`INSERT INTO search_string SELECT m.new_seq, s.resource_type, s.param, s.value FROM clone_map m JOIN search_string s ON s.resource_seq = m.old_seq`);
    });
    generationsDone += generations;
    log(`  copied ${generations * perGeneration} EOBs in ${((performance.now() - started) / 1000).toFixed(1)} s (now ${await countEobs(dataSource)})`);
  }
  await dataSource.query('VACUUM ANALYZE');
}

async function countEobs(dataSource: DataSource): Promise<number> {
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'ExplanationOfBenefit'`);
  return n;
}

async function measure(url: string, connections: number, seconds: number, token?: string): Promise<LoadResult> {
  const client = path.join(__dirname, 'load-client.ts');
  const args = ['-r', '@swc-node/register', client, url, String(connections), String(seconds), ...(token ? [token] : [])];
  const { stdout } = await run(process.execPath, args, { env: { ...process.env, TS_NODE_PROJECT: 'tools/bench/tsconfig.json' }, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
}

/** An in-process bus on which the benchmark client is already approved. */
async function approvingBus(): Promise<InProcessEventBus> {
  const bus = new InProcessEventBus();
  await bus.ensureTopics(platformTopicSpecs());
  const event = createClientChangedEvent({
    eventId: randomUUID(),
    occurredAt: new Date(),
    clientId: CLIENT_ID,
    registrationId: 'bench',
    kind: 'application',
    status: 'approved',
    previousStatus: null,
    clientVersion: 1,
    client: { name: 'bench', clientType: 'confidential', redirectUris: ['https://oidcdebugger.com/debug'], sealedSecretHash: null, allowedScopes: [], system: false },
  });
  // Signed as registration signs it in the sandbox: the service applies nothing else.
  await (await sandboxProducers(bus)).publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_ID, value: event }]);
  return bus;
}

function printTable(rows: Row[], loaderRate: number): void {
  const lines = [
    '',
    `| EOBs in store | target | req/s | p50 ms | p99 ms | errors |`,
    `| ---: | --- | ---: | ---: | ---: | ---: |`,
    ...rows.map(({ size, target, result }) => `| ${size} | ${target} | ${result.requestsPerSecond} | ${result.p50Ms} | ${result.p99Ms} | ${result.errors} |`),
    '',
  ];
  const bySize = new Map<string, Row[]>();
  for (const row of rows) bySize.set(row.size, [...(bySize.get(row.size) ?? []), row]);
  for (const [size, group] of bySize) {
    const bare = group.find((row) => row.target.startsWith('bare'));
    const read = group.find((row) => row.target.includes('Patient read'));
    const search = group.find((row) => row.target.includes('EOB search'));
    if (bare && read) {
      const ratio = read.result.requestsPerSecond / bare.result.requestsPerSecond;
      lines.push(`${size} EOBs: Patient read at ${(ratio * 100).toFixed(1)}% of the bare server (target >= 20%): ${ratio >= 0.2 ? 'met' : 'NOT met'}`);
    }
    if (search) lines.push(`${size} EOBs: EOB search p99 ${search.result.p99Ms} ms (target < 50 ms): ${search.result.p99Ms < 50 ? 'met' : 'NOT met'}`);
  }
  lines.push(`loader: ${loaderRate} resources/s`);
  process.stdout.write(`${lines.join('\n')}\n`);
}


main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
