import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createServer, type Server } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, createClientChangedEvent } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus, platformTopicSpecs, sandboxProducers } from '@payer-access/events';
import { createFhirApp, FhirConfig, fhirBaseUrl, NdjsonLoader } from '@payer-access/fhir-service';
import { generateSyntheticData, PAYER_MATCH_MEMBERS, PAYER_MEMBER_CLAIM_DAYS_AGO, SANDBOX_CLAIM_MIX, type PayerMatchMember } from '@payer-access/synthetic-data';
import { createTestDatabase } from '@payer-access/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { BenchResults } from './bench-results';
import { percentOf, type LoadResult } from './latency';
import { listen, log, port } from './local-server';
import { printLoaderResult, runLoaderBench } from './loader-bench';
import { cpuMsOf } from './process-figures';
import { runPlatformBench } from './platform-bench';
import { printBulkTable, runBulkExportBench } from './bulk-export-bench';
import { runServicesSoak, runSoakBench } from './soak-bench';

const run = promisify(execFile);
const BASE_PATH = '/fhir/sb/R4/patientaccess';
const MEMBER = '-20140000000024';
const CLIENT_ID = 'JVjR77J3j4BaRVqoDtLx';
/** The sandbox's demo payer, approved on the bench's bus as a payer. */
const PAYER_ID = 'SbxDemoPayer00000001';
const EOBS_PER_PATIENT = 100;
/** Claims of the sandbox and payer-to-payer members, loaded besides the generated patients. */
const FIXED_EOBS =
  Object.values(SANDBOX_CLAIM_MIX).reduce((sum, mix) => sum + Object.values(mix).reduce((count, n) => count + (n ?? 0), 0), 0) +
  PAYER_MATCH_MEMBERS.length * PAYER_MEMBER_CLAIM_DAYS_AGO.length;

interface Row {
  readonly size: string;
  readonly target: string;
  readonly result: MeasuredLoad;
}

/** A load's figures with the CPU time it cost per answered request (warm-up included), in ms. */
interface MeasuredLoad extends LoadResult {
  /** This process: the fhir service, or the bare server, whichever answered. */
  readonly processCpuMs?: number;
  /** The PostgreSQL backends connected to the bench's database. */
  readonly postgresCpuMs?: number;
}

/**
 * `npm run bench`: the NDJSON loader beside a plain COPY (loader-bench.ts), the fhir part, the bulk
 * export part (bulk-export-bench.ts), then the platform part (platform-bench.ts); `--only loader`,
 * `--only fhir`, `--only bulk` or `--only platform` runs one of them; `--only soak` (soak-bench.ts, minutes
 * long, never part of the default run) soaks the one-process platform. The bulk export runs at 10,000
 * EOBs unless `--bulk-sizes 10000,1000000` (or BENCH_BULK_EOBS) asks for more.
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
      'loader-eobs': { type: 'string', default: '20000' },
      'loader-workers': { type: 'string' },
      'bulk-sizes': { type: 'string', default: process.env.BENCH_BULK_EOBS ?? '10000' },
      contention: { type: 'boolean', default: false },
      'authorization-workers': { type: 'string', default: '1' },
      'cpu-prof-dir': { type: 'string' },
      'results-dir': { type: 'string', default: path.join(__dirname, '..', 'results') },
      'soak-seconds': { type: 'string', default: '600' },
      'soak-sample-seconds': { type: 'string', default: '5' },
      'soak-connections': { type: 'string', default: '2' },
      'heap-snapshot-dir': { type: 'string' },
      'soak-services': { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && !['loader', 'fhir', 'bulk', 'platform', 'soak'].includes(values.only)) throw new Error(`--only takes loader, fhir, bulk, platform or soak, not ${values.only}`);
  const connections = Number(values.connections);
  const seconds = Number(values.seconds);
  const results = new BenchResults({ ...values, 'results-dir': undefined });
  // The soak runs for minutes: only when asked for.
  const runs = (part: string) => (values.only === undefined && part !== 'soak') || values.only === part;
  try {
    if (runs('loader')) {
      const workers = values['loader-workers'] === undefined ? undefined : Number(values['loader-workers']);
      const loader = await runLoaderBench({ eobs: Number(values['loader-eobs']), workers, profileDir: values['cpu-prof-dir'] });
      printLoaderResult(loader);
      results.add({ name: 'NDJSON loader rate', value: loader.loaderPerSecond, unit: 'resources/s', limit: { min: 20_000 }, detail: loader });
      results.add({ name: 'NDJSON loader, share of a plain COPY of the same rows', value: loader.loaderPerSecond / loader.copyPerSecond, unit: 'ratio', detail: loader });
    }
    if (runs('fhir')) await fhirBench(connections, seconds, values.sizes.split(',').map(Number), results, values['cpu-prof-dir']);
    if (runs('bulk')) {
      const figures = await runBulkExportBench(values['bulk-sizes'].split(',').map(Number));
      printBulkTable(figures);
      for (const figure of figures) {
        results.add({ name: `${figure.eobs} EOBs: bulk export rate`, value: figure.resourcesPerSecond, unit: 'resources/s', limit: { min: 20_000 }, detail: figure });
      }
    }
    if (runs('platform')) {
      await runPlatformBench({
        connections,
        seconds,
        trials: Number(values.trials),
        pollIntervalMs: Number(values['poll-interval']),
        contention: values.contention,
        authorizationWorkers: Number(values['authorization-workers']),
        profileDir: values['cpu-prof-dir'],
        results,
      });
    }
    if (runs('soak')) {
      const soak = {
        seconds: Number(values['soak-seconds']),
        sampleSeconds: Number(values['soak-sample-seconds']),
        connections: Number(values['soak-connections']),
        heapSnapshotDir: values['heap-snapshot-dir'],
        results,
      };
      // The one process by default; `--soak-services` soaks the three services run apart instead.
      if (values['soak-services']) await runServicesSoak(soak);
      else await runSoakBench(soak);
    }
  } finally {
    log(`results written to ${results.write(values['results-dir'], { node: process.version, cpus: cpus().length })}`);
  }
}

/**
 * Loads synthetic data through the real NDJSON loader (printing its rate), then measures the fhir
 * service next to a bare Node HTTP server, at 32 connections, with 10,000 and then 1,000,000 EOBs
 * in the store: a Patient read and an EOB search page with a member's token, and a payer's
 * `$member-match` (each one a real match, link renewal and audit row) next to a bare server
 * answering the same Parameters to the same POSTs. The store grows from 10,000 to 1,000,000 by copying the loaded claims to new
 * patients inside PostgreSQL, which takes minutes rather than the loader's longer run.
 */
async function fhirBench(connections: number, seconds: number, sizes: number[], results: BenchResults, profileDir?: string): Promise<void> {
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
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(keys.privateKey);
  const payerToken = await new SignJWT({ client_id: PAYER_ID, scope: 'system/*.rs', grant_id: 'bench-payer' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'bench' })
    .setIssuer(issuer)
    .setAudience(fhirBaseUrl(config))
    .setSubject(PAYER_ID)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(keys.privateKey);

  const rows: Row[] = [];
  const bodiesFile = path.join(tmpdir(), `pa-bench-member-match-${process.pid}.json`);
  try {
    // 1. The loader, through its real path: generate, validate, index, store.
    const firstSize = sizes[0];
    const extraPatients = Math.max(0, Math.round((firstSize - FIXED_EOBS) / EOBS_PER_PATIENT));
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

    // $member-match: the former members each one request matches, asked for in turn, and a bare
    // server that reads the same POSTs and answers the Parameters the service answered.
    const matchUrl = `http://127.0.0.1:${fhirPort}${BASE_PATH}/Patient/$member-match`;
    const matchBodies = uniquelyMatchable(PAYER_MATCH_MEMBERS).map(memberMatchRequest);
    writeFileSync(bodiesFile, JSON.stringify(matchBodies));
    let matchAnswer = '';
    for (const body of matchBodies) {
      const response = await fetch(matchUrl, { method: 'POST', headers: { authorization: `Bearer ${payerToken}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
      matchAnswer = await response.text();
      if (response.status !== 200) throw new Error(`$member-match answered ${response.status} before the bench: ${matchAnswer.slice(0, 300)}`);
    }
    log(`$member-match: ${matchBodies.length} members to match in turn`);
    const barePost = await listen(
      createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          response.writeHead(200, { 'content-type': 'application/fhir+json; charset=utf-8' });
          response.end(matchAnswer);
        });
      }),
    );
    const barePostUrl = `http://127.0.0.1:${port(barePost)}/Patient/$member-match`;

    for (const size of sizes) {
      const eobs = await countEobs(dataSource);
      // The loader's set is within a percent of the first size; only larger sizes are grown to.
      if (eobs < size * 0.99) await grow(dataSource, size);
      const held = await countEobs(dataSource);
      log(`measuring with ${held} EOBs in the store (${connections} connections, ${seconds} s each)`);
      const measured = (url: string, bearer?: string, bodies?: string) => measureCpu(dataSource, () => measure(url, connections, seconds, bearer, bodies));
      const profiled = (name: string, load: () => Promise<MeasuredLoad>) => (profileDir ? profileWhile(path.join(profileDir, `fhir-${held}-${name}.cpuprofile`), load) : load());
      const label = held.toLocaleString('en-US');
      rows.push({ size: label, target: 'bare Node http: Patient JSON', result: await measured(bareUrl) });
      rows.push({ size: label, target: 'fhir: Patient read', result: await profiled('read', () => measured(patientUrl, token)) });
      rows.push({ size: label, target: 'fhir: EOB search page (10 of 148)', result: await profiled('search', () => measured(searchUrl, token)) });
      rows.push({ size: label, target: 'bare Node http: POST, Parameters JSON', result: await measured(barePostUrl, payerToken, bodiesFile) });
      rows.push({ size: label, target: `fhir: $member-match (${matchBodies.length} members in turn)`, result: await measured(matchUrl, payerToken, bodiesFile) });
    }
    bare.close();
    barePost.close();
    printTable(rows, report.resourcesPerSecond);
    recordFigures(results, rows, report.resourcesPerSecond);
  } finally {
    rmSync(bodiesFile, { force: true });
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

/** The members whom their own demographics and old card match uniquely (not a duplicate enrolment). */
function uniquelyMatchable(members: readonly PayerMatchMember[]): PayerMatchMember[] {
  const key = (member: PayerMatchMember) => [member.familyName, member.givenName, member.birthDate, member.subscriberId].join('|');
  return members.filter((member) => members.filter((other) => key(other) === key(member)).length === 1);
}

/** An HRex `$member-match` request for a former member, with a consent for the bench's payer from a month ago to a year ahead. */
function memberMatchRequest(member: PayerMatchMember): unknown {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family: member.familyName, given: [member.givenName] }], birthDate: member.birthDate } },
      { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', status: 'active', subscriberId: member.subscriberId, beneficiary: { reference: 'Patient/1' }, payor: [{ display: 'Old plan' }] } },
      {
        name: 'Consent',
        resource: {
          resourceType: 'Consent',
          status: 'active',
          performer: [{ identifier: { system: 'urn:payer-access:client-id', value: PAYER_ID } }],
          policy: [{ uri: 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular' }],
          provision: { type: 'permit', period: { start: day(-30), end: day(365) } },
        },
      },
    ],
  };
}

async function measure(url: string, connections: number, seconds: number, token?: string, bodiesFile?: string): Promise<LoadResult & { warmupRequests: number }> {
  const client = path.join(__dirname, 'load-client.ts');
  const args = ['-r', '@swc-node/register', client, url, String(connections), String(seconds), ...(token ? [token] : []), ...(bodiesFile ? [bodiesFile] : [])];
  const { stdout } = await run(process.execPath, args, { env: { ...process.env, TS_NODE_PROJECT: 'tools/bench/tsconfig.json' }, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult & { warmupRequests: number };
}

/**
 * The CPU time a load cost per answered request (its warm-up included), in this process (the
 * service or bare server under load; the load generator is a process of its own) and in the
 * PostgreSQL backends of the bench's database. Unlike rates, these hardly depend on what else
 * the host runs, so they compare runs made at different loads.
 */
async function measureCpu(dataSource: DataSource, load: () => Promise<LoadResult & { warmupRequests: number }>): Promise<MeasuredLoad> {
  const backends = async () => {
    const rows: { pid: number }[] = await dataSource.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        cpu.set(pid, cpuMsOf(readFileSync(`/proc/${pid}/stat`, 'utf8')));
      } catch {
        // Not on this host (a remote server) or gone meanwhile.
      }
    }
    return cpu;
  };
  const postgresBefore = await backends();
  const processBefore = process.cpuUsage();
  const { warmupRequests, ...result } = await load();
  const used = process.cpuUsage(processBefore);
  const postgresAfter = await backends();
  const answered = Math.max(1, result.requests + warmupRequests);
  const postgresMs = [...postgresAfter].reduce((total, [pid, ms]) => total + ms - (postgresBefore.get(pid) ?? 0), 0);
  const perRequest = (ms: number) => Math.round((ms / answered) * 1000) / 1000;
  return { ...result, processCpuMs: perRequest((used.user + used.system) / 1000), postgresCpuMs: postgresAfter.size > 0 ? perRequest(postgresMs) : undefined };
}

/**
 * The fhir service runs in this process: `--cpu-prof-dir` samples this process's V8 CPU profile
 * while a load runs (the load generator is a process of its own) and writes it to `file`.
 */
async function profileWhile<T>(file: string, load: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  try {
    return await load();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    log(`cpu profile written: ${file}`);
  }
}

/** An in-process bus on which the benchmark client and the payer are already approved. */
async function approvingBus(): Promise<InProcessEventBus> {
  const bus = new InProcessEventBus();
  await bus.ensureTopics(platformTopicSpecs());
  const approved = (clientId: string, kind: 'application' | 'payer') =>
    createClientChangedEvent({
      eventId: randomUUID(),
      occurredAt: new Date(),
      clientId,
      registrationId: `bench-${kind}`,
      kind,
      status: 'approved',
      previousStatus: null,
      clientVersion: 1,
      client: {
        name: `bench ${kind}`,
        clientType: 'confidential',
        redirectUris: kind === 'payer' ? [] : ['https://oidcdebugger.com/debug'],
        sealedSecretHash: null,
        allowedScopes: kind === 'payer' ? ['system/*.rs'] : [],
        system: kind === 'payer',
      },
    });
  // Signed as registration signs it in the sandbox: the service applies nothing else.
  await (await sandboxProducers(bus)).publish(CLIENT_CHANGED_TOPIC, [
    { key: CLIENT_ID, value: approved(CLIENT_ID, 'application') },
    { key: PAYER_ID, value: approved(PAYER_ID, 'payer') },
  ]);
  return bus;
}

function printTable(rows: Row[], loaderRate: number): void {
  const lines = [
    '',
    `| EOBs in store | target | req/s | p50 ms | p99 ms | errors | CPU ms/req: process | PostgreSQL |`,
    `| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map(
      ({ size, target, result }) =>
        `| ${size} | ${target} | ${result.requestsPerSecond} | ${result.p50Ms} | ${result.p99Ms} | ${result.errors} | ${result.processCpuMs ?? '–'} | ${result.postgresCpuMs ?? '–'} |`,
    ),
    '',
  ];
  const bySize = new Map<string, Row[]>();
  for (const row of rows) bySize.set(row.size, [...(bySize.get(row.size) ?? []), row]);
  for (const [size, group] of bySize) {
    const bare = group.find((row) => row.target.startsWith('bare Node http: Patient'));
    const read = group.find((row) => row.target.includes('Patient read'));
    const search = group.find((row) => row.target.includes('EOB search'));
    const barePost = group.find((row) => row.target.startsWith('bare Node http: POST'));
    const match = group.find((row) => row.target.includes('$member-match'));
    if (bare && read) {
      const percent = percentOf(read.result, bare.result);
      lines.push(`${size} EOBs: Patient read at ${percent.toFixed(1)}% of the bare server (target >= ${100 * TARGETS.readShareOfBare}%): ${percent >= 100 * TARGETS.readShareOfBare ? 'met' : 'NOT met'}`);
    }
    if (search) lines.push(`${size} EOBs: EOB search p99 ${search.result.p99Ms} ms (target <= ${TARGETS.searchP99Ms} ms): ${search.result.p99Ms <= TARGETS.searchP99Ms ? 'met' : 'NOT met'}`);
    if (match && barePost) {
      lines.push(
        `${size} EOBs: $member-match p50 ${match.result.p50Ms} ms, p99 ${match.result.p99Ms} ms, ${match.result.requestsPerSecond} req/s ` +
          `(${percentOf(match.result, barePost.result).toFixed(1)}% of the bare server's POST rate; no target yet)`,
      );
    }
  }
  lines.push(`loader: ${loaderRate} resources/s`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The fhir part's targets (the performance issue's table), printed and written to the result file alike. */
const TARGETS = { readShareOfBare: 0.3, searchP99Ms: 25 } as const;

function recordFigures(results: BenchResults, rows: Row[], loaderRate: number): void {
  for (const { size, target, result } of rows) {
    const bare = rows.find((row) => row.size === size && row.target.startsWith('bare Node http: Patient'));
    if (target.includes('Patient read') && bare) {
      results.add({
        name: `${size} EOBs: Patient read, share of the bare server rate`,
        value: result.requestsPerSecond / bare.result.requestsPerSecond,
        unit: 'ratio',
        limit: { min: TARGETS.readShareOfBare },
        detail: { bare: bare.result, read: result },
      });
    }
    if (target.includes('EOB search')) results.add({ name: `${size} EOBs: EOB search p99`, value: result.p99Ms, unit: 'ms', limit: { max: TARGETS.searchP99Ms }, detail: result });
    if (target.includes('$member-match')) results.add({ name: `${size} EOBs: $member-match p99`, value: result.p99Ms, unit: 'ms', detail: result });
    if (result.processCpuMs !== undefined) results.add({ name: `${size} EOBs: ${target}, CPU per request (this process)`, value: result.processCpuMs, unit: 'ms' });
    if (result.postgresCpuMs !== undefined) results.add({ name: `${size} EOBs: ${target}, CPU per request (PostgreSQL)`, value: result.postgresCpuMs, unit: 'ms' });
  }
  results.add({ name: 'fhir part: NDJSON load of its data set', value: loaderRate, unit: 'resources/s' });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
