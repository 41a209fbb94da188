import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, startIsolatedKafka, type IsolatedKafka, type TestDatabase } from '@payer-access/testing';
import { SEED_CLIENT, TOKEN_PATH } from '../../platform-e2e/test/support/http';
import { FHIR_BASE_PATH, freePorts, Platform } from '../../platform-e2e/test/support/platform';
import { eventually, sleep } from '../../platform-e2e/test/support/poll';
import type { RegisteredApp } from '../../platform-e2e/test/support/registration';
import type { BenchResults } from './bench-results';
import type { LoadResult } from './latency';
import { buildAsImage } from './image-build';
import { log } from './local-server';
import { issueTokens, sandboxMember } from './member-journey';
import { measureTokens } from './platform-bench';
import { sampleProcess } from './process-figures';
import type { TokenLoadResult } from './token-load-client';

const run = promisify(execFile);

export interface SoakOptions {
  /** How long the steady mix runs. */
  readonly seconds: number;
  /** Seconds between two memory samples. */
  readonly sampleSeconds: number;
  /** Connections of each kind of request (refresh chains, Patient reads, EOB searches). */
  readonly connections: number;
  /** Where the platform writes a heap snapshot at rest after start and after the load, if anywhere. */
  readonly heapSnapshotDir?: string;
  readonly results: BenchResults;
}

/** One memory sample of the platform's process. */
export interface MemorySample {
  /** Seconds since the load began (negative before it). */
  readonly t: number;
  readonly rssMb: number;
  /** The resident set's anonymous part (heaps, allocator arenas) and its file-backed part (the node binary, native modules). */
  readonly rssAnonMb: number;
  readonly rssFileMb: number;
  /** V8's heap in use and its size (`nodejs_heap_size_*` of the process's own metrics). */
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  /** Memory of ArrayBuffers and other objects outside the V8 heap (`nodejs_external_memory_bytes`). */
  readonly externalMb: number;
}

export interface SoakFigures {
  /** At rest after start and the sandbox data set's load, before any request. */
  readonly start: MemorySample;
  /** At rest, `REST_SECONDS` after the load stopped: the figure held to the limit. */
  readonly afterLoad: MemorySample;
  /** The last sample under load. */
  readonly end: MemorySample;
  /** The resident set's high-water mark over the whole run (VmHWM). */
  readonly peakRssMb: number;
  /** Least-squares slopes over the last `slopeMinutes` of the load, in MB per minute. */
  readonly rssSlopeMbPerMinute: number;
  readonly heapSlopeMbPerMinute: number;
  readonly slopeMinutes: number;
  /** The platform's CPU time over the load per request answered (garbage collection included), which hardly depends on the host's other load. */
  readonly cpuMsPerRequest: number;
  readonly samples: readonly MemorySample[];
  readonly loads: { readonly refresh: TokenLoadResult; readonly read: LoadResult; readonly search: LoadResult };
}

/** The issue's bound on the platform's resting memory after the load, and what counts as flat. */
export const SOAK_LIMITS = { restingRssMb: 300, slopeMbPerMinute: 1 } as const;
/** Seconds the platform rests after the load before its resting memory is read. */
const REST_SECONDS = 20;
/** The slope is taken over the load's last minutes: at most five, at least its second half. */
const SLOPE_MAX_MINUTES = 5;

/**
 * The soak part: the one-process platform started as `npm start` starts it (tools/sandbox/start.sh,
 * on a fresh database of the test server, so it loads the sandbox data set first), then a steady
 * mix for `seconds` — members' refresh grants on rotation chains, Patient reads and EOB search
 * pages with a member's token — while the process's RSS (from /proc) and V8 heap (from its own
 * metrics listener) are sampled every `sampleSeconds`. Prints start / after-load (at rest) / peak /
 * end RSS and the slope over the load's last minutes beside their limits.
 */
export async function runSoakBench(options: SoakOptions): Promise<SoakFigures> {
  const database = await createTestDatabase('pa_soak');
  const platform = await startPlatform(database, options.heapSnapshotDir).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  try {
    log(`platform started (pid ${platform.pid}, log ${platform.logFile}); resting ${REST_SECONDS} s before the first sample`);
    await sleep(REST_SECONDS * 1000);
    const start = await platform.sample(-1);
    log(`at rest after start: RSS ${start.rssMb} MB, heap ${start.heapUsedMb} of ${start.heapTotalMb} MB`);
    if (options.heapSnapshotDir) await platform.heapSnapshot('start');

    let began = performance.now();
    let cpuBefore = 0;
    const samples: MemorySample[] = [];
    const started = () => {
      began = performance.now();
      cpuBefore = sampleProcess(platform.pid).cpuMs;
    };
    const loads = await steadyMix(platform.urls, options, started, async (t) => {
      const sample = await platform.sample(t);
      samples.push(sample);
      if (samples.length % Math.max(1, Math.round(60 / options.sampleSeconds)) === 0) log(`  ${Math.round(sample.t)} s: RSS ${sample.rssMb} MB, heap ${sample.heapUsedMb} of ${sample.heapTotalMb} MB`);
    });
    const end = samples.at(-1) ?? (await platform.sample((performance.now() - began) / 1000));
    const requests = loads.refresh.requests + loads.refresh.warmupRequests + loads.read.requests + loads.search.requests;
    const cpuMsPerRequest = Math.round(((sampleProcess(platform.pid).cpuMs - cpuBefore) / Math.max(1, requests)) * 100) / 100;

    await sleep(REST_SECONDS * 1000);
    const afterLoad = await platform.sample((performance.now() - began) / 1000);
    if (options.heapSnapshotDir) await platform.heapSnapshot('after load');
    const peakRssMb = sampleProcess(platform.pid).peakRssMb;
    const slopeMinutes = Math.min(SLOPE_MAX_MINUTES, options.seconds / 120);
    const window = samples.filter((sample) => sample.t >= options.seconds - slopeMinutes * 60);
    const figures: SoakFigures = {
      start,
      afterLoad,
      end,
      peakRssMb,
      rssSlopeMbPerMinute: round(slope(window, (sample) => sample.rssMb) * 60),
      heapSlopeMbPerMinute: round(slope(window, (sample) => sample.heapUsedMb) * 60),
      slopeMinutes: round(slopeMinutes),
      cpuMsPerRequest,
      samples,
      loads,
    };
    const crashed = platform.exited();
    if (crashed) throw new Error(`the platform exited during the soak (${crashed}); log in ${platform.logFile}`);
    printSoak(figures);
    recordSoak(options.results, figures);
    return figures;
  } finally {
    await platform.stop();
    await database.drop();
  }
}

/**
 * The steady mix against an authorization server and a FHIR server: grants for seed 002's demo
 * client as BCNCUser03 (one per refresh chain, one whose access token reads and searches), then
 * `connections` refresh chains, Patient readers and EOB searchers for `seconds`, each kind from a
 * load process of its own; `tick` runs every `sampleSeconds` with the seconds since the load began.
 */
async function steadyMix(
  urls: { readonly authorization: string; readonly fhir: string },
  options: Pick<SoakOptions, 'seconds' | 'sampleSeconds' | 'connections'>,
  /** Called once the grants are taken, as the load begins. */
  started: () => void,
  tick: (t: number) => Promise<void>,
): Promise<SoakFigures['loads']> {
  const app = { ...SEED_CLIENT, registrationId: 'seed-002', name: 'seed 002 demo client', developerToken: '' } satisfies RegisteredApp;
  const reader = sandboxMember('BCNCUser03');
  const grants = [];
  for (let index = 0; index <= options.connections; index += 1) grants.push(await issueTokens(urls.authorization, app, reader));
  const [readGrant, ...chains] = grants;
  const fhirBase = `${urls.fhir}${FHIR_BASE_PATH}`;

  log(`steady mix for ${options.seconds} s: ${options.connections} refresh chains, ${options.connections} connections of Patient reads, ${options.connections} of EOB searches; a sample every ${options.sampleSeconds} s`);
  const began = performance.now();
  started();
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(() => tick((performance.now() - began) / 1000));
  }, options.sampleSeconds * 1000);
  try {
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
    const [refresh, read, search] = await Promise.all([
      measureTokens({ url: `${urls.authorization}${TOKEN_PATH}`, authorization, seconds: options.seconds, refreshTokens: chains.map((grant) => grant.refreshToken) }),
      measureGets(`${fhirBase}/Patient/${reader.patientId}`, options.connections, options.seconds, readGrant.accessToken),
      measureGets(`${fhirBase}/ExplanationOfBenefit?patient=${reader.patientId}&_count=10`, options.connections, options.seconds, readGrant.accessToken),
    ]);
    const loads = { refresh: { ...refresh, chains: [] }, read, search };
    log(`load done: refresh ${loads.refresh.requestsPerSecond} req/s (${loads.refresh.errors} errors), read ${loads.read.requestsPerSecond} req/s (${loads.read.errors} errors), search ${loads.search.requestsPerSecond} req/s (${loads.search.errors} errors)`);
    return loads;
  } finally {
    clearInterval(timer);
    await sampling;
  }
}

interface SoakPlatform {
  readonly pid: number;
  readonly logFile: string;
  readonly urls: { readonly registration: string; readonly authorization: string; readonly fhir: string };
  sample(t: number): Promise<MemorySample>;
  heapSnapshot(label: string): Promise<void>;
  /** Why the process ended, if it has. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/**
 * `npm start`'s script on free loopback ports: the sandbox profile, the PostgreSQL event log (no
 * Kafka), the sample app and portal served as `npm start` serves them; the token endpoint's rate
 * limits are lifted, as the platform part lifts them, since one client refreshes all the time here.
 */
async function startPlatform(database: TestDatabase, heapSnapshotDir: string | undefined): Promise<SoakPlatform> {
  const [registration, authorization, fhir, registrationMetrics, authorizationMetrics, fhirMetrics, portal, sampleApp] = await freePorts(8);
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const unlimited = String(1_000_000);
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', ...(heapSnapshotDir ? [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${path.resolve(heapSnapshotDir)}`] : [])];
  if (heapSnapshotDir) mkdirSync(heapSnapshotDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: nodeOptions.join(' ').trim(),
    PROFILE: 'sandbox',
    DATABASE_URL: database.url,
    KAFKA_BROKERS: '',
    FHIR_BASE_PATH,
    REGISTRATION_HOST: '127.0.0.1',
    REGISTRATION_PORT: String(registration),
    REGISTRATION_PUBLIC_URL: local(registration),
    REGISTRATION_METRICS_PORT: String(registrationMetrics),
    AUTHORIZATION_HOST: '127.0.0.1',
    AUTHORIZATION_PORT: String(authorization),
    AUTHORIZATION_PUBLIC_URL: local(authorization),
    AUTHORIZATION_METRICS_PORT: String(authorizationMetrics),
    FHIR_HOST: '127.0.0.1',
    FHIR_PORT: String(fhir),
    FHIR_PUBLIC_URL: local(fhir),
    FHIR_METRICS_PORT: String(fhirMetrics),
    PORTAL_HOST: '127.0.0.1',
    PORTAL_PORT: String(portal),
    PORTAL_PUBLIC_URL: local(portal),
    SAMPLE_APP_HOST: '127.0.0.1',
    SAMPLE_APP_PORT: String(sampleApp),
    SAMPLE_APP_PUBLIC_URL: local(sampleApp),
    TOKEN_RATE_LIMIT_PER_CLIENT: unlimited,
    TOKEN_RATE_LIMIT_PER_ADDRESS: unlimited,
  };
  // The script compiles the sources first: into a directory of this run's own, inside the
  // repository (node_modules resolve from there), so that a developer's `npm start` keeps its own.
  const buildDir = path.join('.data', `soak-build-${process.pid}`);
  env.SANDBOX_BUILD_DIR = buildDir;
  const logDir = path.join(tmpdir(), 'payer-access-soak');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `sandbox-${process.pid}-${Date.now()}.log`);
  const output = createWriteStream(logFile);
  const script = path.resolve(__dirname, '../../sandbox/start.sh');
  // The script execs node in the end, so the child's pid is the platform's process.
  const child: ChildProcess = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let ended: string | undefined;
  let running = false;
  child.on('exit', (code, signal) => (ended = `exit code ${code}, signal ${signal}`));
  child.stdout?.on('data', (chunk: Buffer) => {
    output.write(chunk);
    if (chunk.toString('utf8').includes('sandbox is running')) running = true;
  });
  child.stderr?.on('data', (chunk: Buffer) => output.write(chunk));
  const pid = child.pid;
  if (pid === undefined) throw new Error('the platform did not start');
  const urls = { registration: local(registration), authorization: local(authorization), fhir: local(fhir) };
  const stop = async () => {
    if (ended === undefined) {
      child.kill('SIGTERM');
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const killed = sleep(30_000).then(() => child.kill('SIGKILL'));
      await Promise.race([exited, killed]);
    }
    output.end();
    rmSync(path.resolve(__dirname, '../../..', buildDir), { recursive: true, force: true });
  };
  try {
    await eventually(async () => running || (ended !== undefined ? Promise.reject(new Error(`the platform exited at start (${ended}); log in ${logFile}`)) : false), {
      what: 'the platform to start',
      timeoutMs: 300_000,
      intervalMs: 200,
    });
    await Promise.all(
      Object.entries(urls).map(([name, url]) =>
        eventually(async () => (await fetch(`${url}/health/ready`)).status === 200, { what: `${name} to be ready`, timeoutMs: 120_000 }),
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const metricsUrl = `${local(registrationMetrics)}/metrics`;
  let snapshots = 0;
  return {
    pid,
    logFile,
    urls,
    sample: async (t) => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024);
      // One process: every service's registry reports the same heap; registration's is read.
      const metrics = await (await fetch(metricsUrl)).text();
      const mb = (name: string) => round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(metrics)?.[1] ?? Number.NaN) / 1048576);
      return { t: round(t), rssMb: kb('VmRSS'), rssAnonMb: kb('RssAnon'), rssFileMb: kb('RssFile'), heapUsedMb: mb('nodejs_heap_size_used_bytes'), heapTotalMb: mb('nodejs_heap_size_total_bytes'), externalMb: mb('nodejs_external_memory_bytes') };
    },
    heapSnapshot: async (label) => {
      snapshots += 1;
      process.kill(pid, 'SIGUSR2');
      // Node writes Heap.<date>.<pid>.<thread>.<seq>.heapsnapshot; wait until the count grows and the file settles.
      await eventually(async () => (await run('sh', ['-c', `ls ${heapSnapshotDir}/*.${pid}.*.heapsnapshot 2>/dev/null | wc -l`])).stdout.trim() === String(snapshots), {
        what: `the heap snapshot (${label})`,
        timeoutMs: 120_000,
        intervalMs: 500,
      });
      await sleep(5000);
      log(`heap snapshot (${label}) written to ${heapSnapshotDir}`);
    },
    exited: () => ended,
    stop,
  };
}

/** One service's resident set over a soak of the services run apart. */
interface ServiceSeries {
  readonly name: string;
  readonly startMb: number;
  readonly endMb: number;
  readonly afterLoadMb: number;
  readonly peakMb: number;
  readonly slopeMbPerMinute: number;
  /** V8's heap in use / its size at rest after start and at rest after the load (the service's own metrics). */
  readonly heapStartMb: string;
  readonly heapAfterLoadMb: string;
  /** V8's external memory (Buffers, ArrayBuffers, native wrappers) at rest after the load. */
  readonly externalAfterLoadMb: number;
  /** The service's CPU over the load divided by every request of the mix (not only its own). */
  readonly cpuMsPerRequest: number;
  readonly samples: readonly { readonly t: number; readonly rssMb: number; readonly heapUsedMb: number; readonly heapTotalMb: number }[];
}

/**
 * `--soak-services`: the same mix against registration, authorization and fhir run apart, as
 * processes of their own on an isolated Kafka broker (tools/platform-e2e's harness), each run as
 * its image runs it: compiled by `tools/build/build.js` (into `.data/soak-build-<pid>`), `node
 * <build>/apps/<svc>/src/main.js`, with the environment docker/Dockerfile sets (NODE_ENV,
 * MALLOC_ARENA_MAX, NODE_OPTIONS). Prints each service's RSS at rest after start, at the end of the
 * load, at rest after it, its peak and its slope over the load's last minutes, the slope held to
 * the same limit as the one process's.
 */
export async function runServicesSoak(options: SoakOptions): Promise<ServiceSeries[]> {
  const image = await buildAsImage('soak');
  log('starting an isolated Kafka broker, then registration, authorization and fhir as separate processes');
  let kafka: IsolatedKafka | undefined;
  let platform: Platform | undefined;
  try {
    kafka = await startIsolatedKafka('bench-soak');
    const unlimited = String(1_000_000);
    platform = await Platform.start({
      name: 'soak',
      kafkaBrokers: kafka.brokers,
      kafkaCredentials: kafka.credentials,
      env: image.env,
      buildDir: image.buildDir,
      // What compose gives authorization over the image's environment.
      authorizationEnv: { ...image.authorizationEnv, TOKEN_RATE_LIMIT_PER_CLIENT: unlimited, TOKEN_RATE_LIMIT_PER_ADDRESS: unlimited },
    });
    log(`services ready (${platform.startupSummary()}); logs in ${platform.logDir}; resting ${REST_SECONDS} s before the first sample`);
    const services = platform.services.map((service) => {
      if (service.pid === undefined) throw new Error(`${service.name} is not running`);
      // Each service names its metrics listener (an ephemeral port here) in its log.
      const metricsUrl = /metrics: (http:\/\/\S+\/metrics)\)/.exec(readFileSync(service.logFile, 'utf8'))?.[1];
      if (!metricsUrl) throw new Error(`${service.name} did not name its metrics listener in ${service.logFile}`);
      return { name: service.name, pid: service.pid, metricsUrl };
    });
    await sleep(REST_SECONDS * 1000);
    const rss = () => services.map((service) => sampleProcess(service.pid).rssMb);
    const heap = () => Promise.all(services.map(async (service) => heapOf(await (await fetch(service.metricsUrl)).text())));
    const start = rss();
    const heapStart = await heap();
    const samples: { t: number; rssMb: number[]; heap: { usedMb: number; totalMb: number }[] }[] = [];
    let cpuBefore: number[] = [];
    const cpu = () => services.map((service) => sampleProcess(service.pid).cpuMs);
    const loads = await steadyMix({ authorization: platform.authorization.url, fhir: platform.fhir.url }, options, () => (cpuBefore = cpu()), async (t) => {
      samples.push({ t: Math.round(t * 10) / 10, rssMb: rss(), heap: await heap() });
    });
    const requests = loads.refresh.requests + loads.refresh.warmupRequests + loads.read.requests + loads.search.requests;
    const cpuMsPerRequest = cpu().map((ms, index) => Math.round(((ms - (cpuBefore[index] ?? 0)) / Math.max(1, requests)) * 100) / 100);
    const end = samples.at(-1)?.rssMb ?? rss();
    await sleep(REST_SECONDS * 1000);
    const afterLoad = rss();
    const heapAfterLoad = await heap();
    const crashes = platform.crashes();
    if (crashes.length > 0) throw new Error(`a service crashed during the soak:\n${crashes.join('\n')}`);
    const slopeMinutes = Math.min(SLOPE_MAX_MINUTES, options.seconds / 120);
    const series = services.map((service, index): ServiceSeries => {
      const own = samples.map((sample) => ({ t: sample.t, rssMb: sample.rssMb[index], heapUsedMb: sample.heap[index].usedMb, heapTotalMb: sample.heap[index].totalMb }));
      const window = own.filter((sample) => sample.t >= options.seconds - slopeMinutes * 60);
      return {
        name: service.name,
        startMb: start[index],
        endMb: end[index],
        afterLoadMb: afterLoad[index],
        peakMb: sampleProcess(service.pid).peakRssMb,
        slopeMbPerMinute: round(slope(window, (sample) => sample.rssMb) * 60),
        heapStartMb: `${heapStart[index].usedMb} / ${heapStart[index].totalMb}`,
        heapAfterLoadMb: `${heapAfterLoad[index].usedMb} / ${heapAfterLoad[index].totalMb}`,
        externalAfterLoadMb: heapAfterLoad[index].externalMb,
        cpuMsPerRequest: cpuMsPerRequest[index],
        samples: own,
      };
    });
    const lines = [
      '',
      `| service (run apart) | RSS at rest after start MB | end of the load MB | at rest after the load MB | peak MB | slope over the last ${round(slopeMinutes)} min MB/min | heap used / total at start MB | after the load MB | external after the load MB | CPU ms per request of the whole mix |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...series.map((each) => `| ${each.name} | ${each.startMb} | ${each.endMb} | ${each.afterLoadMb} | ${each.peakMb} | ${each.slopeMbPerMinute} | ${each.heapStartMb} | ${each.heapAfterLoadMb} | ${each.externalAfterLoadMb} | ${each.cpuMsPerRequest} |`),
      '',
      ...series.map((each) => `${each.name}: RSS slope ${each.slopeMbPerMinute} MB/min (limit <= ${SOAK_LIMITS.slopeMbPerMinute} MB/min): ${each.slopeMbPerMinute <= SOAK_LIMITS.slopeMbPerMinute ? 'met' : 'NOT met'}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const each of series) {
      const { samples: own, ...detail } = each;
      options.results.add({ name: `soak, services apart: ${each.name} RSS at rest after the load`, value: each.afterLoadMb, unit: 'MB', detail });
      options.results.add({ name: `soak, services apart: ${each.name} RSS slope over the load's last minutes`, value: each.slopeMbPerMinute, unit: 'MB/min', limit: { max: SOAK_LIMITS.slopeMbPerMinute }, detail: { samples: own } });
    }
    return series;
  } catch (error) {
    if (platform && error instanceof Error) error.message += `\n${platform.diagnostics()}`;
    throw error;
  } finally {
    await platform?.stop();
    await kafka?.dispose();
    image.remove();
  }
}

/** V8's heap in use and its size from a service's Prometheus metrics, in MB. */
function heapOf(metrics: string): { usedMb: number; totalMb: number; externalMb: number } {
  const mb = (name: string) => round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(metrics)?.[1] ?? Number.NaN) / 1048576);
  return { usedMb: mb('nodejs_heap_size_used_bytes'), totalMb: mb('nodejs_heap_size_total_bytes'), externalMb: mb('nodejs_external_memory_bytes') };
}

/** Least-squares slope of `value` over `t` (per second); 0 with fewer than two samples. */
export function slope<S extends { readonly t: number }>(samples: readonly S[], value: (sample: S) => number): number {
  if (samples.length < 2) return 0;
  const meanT = samples.reduce((sum, sample) => sum + sample.t, 0) / samples.length;
  const meanV = samples.reduce((sum, sample) => sum + value(sample), 0) / samples.length;
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    covariance += (sample.t - meanT) * (value(sample) - meanV);
    variance += (sample.t - meanT) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

function printSoak(figures: SoakFigures): void {
  const row = (what: string, sample: MemorySample) => `| ${what} | ${sample.rssMb} | ${sample.rssAnonMb} | ${sample.rssFileMb} | ${sample.heapUsedMb} | ${sample.heapTotalMb} | ${sample.externalMb} |`;
  const restingMet = figures.afterLoad.rssMb <= SOAK_LIMITS.restingRssMb;
  const flatMet = figures.rssSlopeMbPerMinute <= SOAK_LIMITS.slopeMbPerMinute;
  const lines = [
    '',
    '| one-process platform | RSS MB | anonymous MB | file-backed MB | heap used MB | heap total MB | external MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('at rest after start', figures.start),
    row('end of the load', figures.end),
    row(`at rest after the load (${REST_SECONDS} s)`, figures.afterLoad),
    `| peak (VmHWM) | ${figures.peakRssMb} | – | – | – | – | – |`,
    '',
    `RSS at rest after the load ${figures.afterLoad.rssMb} MB (limit <= ${SOAK_LIMITS.restingRssMb} MB): ${restingMet ? 'met' : 'NOT met'}`,
    `CPU ${figures.cpuMsPerRequest} ms per request (refreshes, reads and searches together, garbage collection included)`,
    `RSS slope over the load's last ${figures.slopeMinutes} min ${figures.rssSlopeMbPerMinute} MB/min, heap ${figures.heapSlopeMbPerMinute} MB/min (limit <= ${SOAK_LIMITS.slopeMbPerMinute} MB/min): ${flatMet ? 'met' : 'NOT met'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function recordSoak(results: BenchResults, figures: SoakFigures): void {
  const { samples, ...detail } = figures;
  results.add({ name: 'soak: RSS at rest after start', value: figures.start.rssMb, unit: 'MB', detail: figures.start });
  results.add({ name: 'soak: RSS at the end of the load', value: figures.end.rssMb, unit: 'MB', detail: figures.end });
  results.add({ name: 'soak: RSS at rest after the load', value: figures.afterLoad.rssMb, unit: 'MB', limit: { max: SOAK_LIMITS.restingRssMb }, detail: figures.afterLoad });
  results.add({ name: 'soak: peak RSS', value: figures.peakRssMb, unit: 'MB' });
  results.add({ name: `soak: RSS slope over the load's last minutes`, value: figures.rssSlopeMbPerMinute, unit: 'MB/min', limit: { max: SOAK_LIMITS.slopeMbPerMinute }, detail: { ...detail, samples } });
  results.add({ name: 'soak: platform CPU per request', value: figures.cpuMsPerRequest, unit: 'ms' });
  results.add({ name: `soak: heap slope over the load's last minutes`, value: figures.heapSlopeMbPerMinute, unit: 'MB/min' });
}

/** Runs load-client.ts (GETs with a bearer token) as a process of its own. */
async function measureGets(url: string, connections: number, seconds: number, token: string): Promise<LoadResult> {
  const args = ['-r', '@swc-node/register', path.join(__dirname, 'load-client.ts'), url, String(connections), String(seconds), token];
  const { stdout } = await run(process.execPath, args, { env: { ...process.env, TS_NODE_PROJECT: 'tools/bench/tsconfig.json' }, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
