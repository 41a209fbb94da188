import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import path from 'node:path';
import { childrenOf, startIsolatedKafka, type IsolatedKafka } from '@payer-access/testing';
import { authorizationStarts, authorizeUrl, TOKEN_PATH } from '../../platform-e2e/test/support/http';
import { Platform } from '../../platform-e2e/test/support/platform';
import { eventually, sleep } from '../../platform-e2e/test/support/poll';
import { expectStatus, RegistrationApi, type RegisteredApp } from '../../platform-e2e/test/support/registration';
import { REPO_ROOT } from '../../platform-e2e/test/support/service-process';
import type { BenchResults } from './bench-results';
import { percentOf, spread, type LatencySpread } from './latency';
import { buildAsImage } from './image-build';
import { listen, log, port } from './local-server';
import { issueTokens, type IssuedTokens, sandboxMember } from './member-journey';
import { sampleProcessTree, type ProcessSample } from './process-figures';
import { clientAssertion, type BackendClient, type TokenLoadJob, type TokenLoadResult } from './token-load-client';

export interface PlatformBenchOptions {
  /** Concurrent connections of the refresh-grant load (each with a rotation chain of its own). */
  readonly connections: number;
  readonly seconds: number;
  /** Suspension trials. */
  readonly trials: number;
  /** Pause between two FHIR reads of the polling loop. */
  readonly pollIntervalMs: number;
  /** Also measure the refresh grant while a busy process takes one core. */
  readonly contention: boolean;
  /** AUTHORIZATION_WORKERS of the authorization service (node:cluster workers; 1: one process). */
  readonly authorizationWorkers: number;
  /** Where the authorization service writes a CPU profile of the refresh-grant load, if anywhere. */
  readonly profileDir?: string;
  /** Where every figure goes (the JSON result file). */
  readonly results: BenchResults;
}

interface RefreshRun {
  readonly bare: TokenLoadResult;
  readonly platform: TokenLoadResult;
  /** CPU time of the authorization process per answered refresh (warm-up included). */
  readonly cpuMsPerRequest: number;
}

interface RefreshFigures extends RefreshRun {
  /** The same loads while a busy process takes one core. */
  readonly contended?: RefreshRun;
  /** `client_credentials` with `private_key_jwt` (SMART Backend Services), measured the same way. */
  readonly backend: RefreshRun;
  readonly contendedBackend?: RefreshRun;
}

interface SuspensionFigures {
  /** Admin suspend request sent → first FHIR 401 for the live token. */
  readonly toRejection: LatencySpread;
  /** Admin suspend request sent → its 200 from the registration API. */
  readonly suspendAnswered: LatencySpread;
  /** Round trips of the polling loop's FHIR reads that still answered 200. */
  readonly fhirPoll: LatencySpread;
  /** Round trips of the same polling loop against a bare Node HTTP server. */
  readonly barePoll: LatencySpread;
}

/** The upper bound the platform e2e holds suspension → 401 to (tools/platform-e2e). */
const SUSPENSION_BOUND_MS = 1_000;
const REJECTION_TIMEOUT_MS = 10_000;
/** Parallel member journeys while the refresh chains are prepared. */
const JOURNEYS_AT_ONCE = 4;
/** Issue 14's targets for the token endpoint. */
const REFRESH_MIN_SHARE_OF_BARE = 0.1;
const REFRESH_MAX_CPU_MS = 1;
/** Under contention, p99 at most this many times the service's own p50. */
const CONTENDED_MAX_P99_OVER_P50 = 5;
/** The sandbox's demo payer (registration's seed) and its published key: a Backend Services client. */
const DEMO_PAYER = 'SbxDemoPayer00000001';
const DEMO_PAYER_KEY = path.join(REPO_ROOT, 'tools/sandbox/demo-payer/private-key.jwk.json');
const BACKEND_SCOPE = 'system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs';
/** Assertions the load generator signs ahead per second of load (and warm-up); past them it signs on demand. */
const BACKEND_PRESIGNED_PER_SECOND = 600;

/**
 * The platform part of `npm run bench`: registration, authorization and fhir as separate processes
 * (tools/platform-e2e's harness) on one fresh PostgreSQL database and an isolated Kafka broker, each
 * compiled and run with the environment its image and docker compose give it (`buildAsImage`).
 * Measures the token endpoint's refresh grant under load and the latency from an admin's
 * suspension to the FHIR API's first 401, each next to a bare Node HTTP server in the same run.
 */
export async function runPlatformBench(options: PlatformBenchOptions): Promise<void> {
  const image = await buildAsImage('bench');
  log('starting an isolated Kafka broker, then registration, authorization and fhir as separate processes');
  let kafka: IsolatedKafka | undefined;
  let platform: Platform | undefined;
  try {
    kafka = await startIsolatedKafka('bench-platform');
    // One client at one address refreshes thousands of times a minute here: what is measured is the
    // grant itself, not the rate limit that would refuse such a client in a deployment.
    const unlimited = String(1_000_000);
    platform = await Platform.start({
      name: 'bench',
      kafkaBrokers: kafka.brokers,
      kafkaCredentials: kafka.credentials,
      env: image.env,
      buildDir: image.buildDir,
      authorizationEnv: {
        ...image.authorizationEnv,
        TOKEN_RATE_LIMIT_PER_CLIENT: unlimited,
        TOKEN_RATE_LIMIT_PER_ADDRESS: unlimited,
        AUTHORIZATION_WORKERS: String(options.authorizationWorkers),
        ...profilingEnv(options.profileDir, image.authorizationEnv.NODE_OPTIONS ?? image.env.NODE_OPTIONS),
      },
    });
    log(`services ready (${platform.startupSummary()}); logs in ${platform.logDir}`);
    const resting = sampleServices(platform);
    // One API client (and admin session) per part: the portal's admin token lives 15 minutes.
    const refresh = await benchRefreshGrant(platform, new RegistrationApi(platform.registration.url, platform.mail), options);
    const suspension = await benchSuspension(platform, new RegistrationApi(platform.registration.url, platform.mail), options);
    const crashes = platform.crashes();
    const after = sampleServices(platform);
    printTable(options, refresh, suspension);
    printMemory(options.results, resting, after);
    if (crashes.length > 0) throw new Error(`a service crashed during the bench:\n${crashes.join('\n')}`);
  } catch (error) {
    if (platform && error instanceof Error) error.message += `\n${platform.diagnostics()}`;
    throw error;
  } finally {
    await platform?.stop();
    await kafka?.dispose();
    image.remove();
  }
}

/**
 * The token endpoint at `connections` concurrent connections, each load next to a bare server
 * answering a token response of the same shape and size, measured by the same client:
 * - the refresh grant: one approved confidential client, one grant (member journey + code
 *   exchange) per connection, then each connection refreshes its own chain for `seconds`;
 * - `client_credentials` of the sandbox's demo payer (SMART Backend Services): each request
 *   authenticated by a new ES384 client assertion (`private_key_jwt`).
 * With `contention`, both again while a busy process takes one core.
 */
async function benchRefreshGrant(platform: Platform, registration: RegistrationApi, options: PlatformBenchOptions): Promise<RefreshFigures> {
  const app = await registerApprovedApp(platform, registration, 'bench-refresh');
  const started = performance.now();
  const grants: IssuedTokens[] = [];
  for (let first = 0; first < options.connections; first += JOURNEYS_AT_ONCE) {
    const batch = Math.min(JOURNEYS_AT_ONCE, options.connections - first);
    grants.push(...(await Promise.all(Array.from({ length: batch }, () => issueTokens(platform.authorization.url, app, sandboxMember('BCNCUser03'))))));
  }
  log(`${grants.length} grants with refresh tokens in ${((performance.now() - started) / 1000).toFixed(1)} s (member journey over HTTP + code exchange)`);

  const tokenUrl = `${platform.authorization.url}${TOKEN_PATH}`;
  const backendClient: BackendClient = {
    clientId: DEMO_PAYER,
    privateJwk: JSON.parse(readFileSync(DEMO_PAYER_KEY, 'utf8')) as BackendClient['privateJwk'],
    scope: BACKEND_SCOPE,
    connections: options.connections,
  };
  const backendIssued = await firstBackendToken(tokenUrl, backendClient);
  const authorization = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
  const bare = await listen(bareTokenServer(grants[0].response));
  const bareBackend = await listen(bareTokenServer(backendIssued, 'client_credentials'));
  const bareUrl = (server: Server) => `http://127.0.0.1:${port(server)}${TOKEN_PATH}`;
  const pid = platform.authorization.pid;
  if (pid === undefined) throw new Error('the authorization service is not running');
  let chains = grants.map((grant) => grant.refreshToken);
  /** The bare server, then the token endpoint, with the same job; CPU time of the service around the latter. */
  const measure = async (what: string, bareJob: TokenLoadJob, job: TokenLoadJob, profile: boolean): Promise<RefreshRun> => {
    const bareResult = await measureTokens(bareJob);
    const before = sampleProcessTree(pid);
    if (profile) signalTree(pid, 'SIGWINCH');
    const platformResult = await measureTokens(job);
    if (profile) signalTree(pid, 'SIGWINCH');
    const cpuMs = sampleProcessTree(pid).cpuMs - before.cpuMs;
    const cpuMsPerRequest = round(cpuMs / Math.max(1, platformResult.requests + platformResult.warmupRequests));
    log(`  bare: ${bareResult.requestsPerSecond} req/s, p50 ${bareResult.p50Ms} ms, p99 ${bareResult.p99Ms} ms, ${bareResult.errors} errors`);
    log(`  ${what}: ${platformResult.requestsPerSecond} req/s, p50 ${platformResult.p50Ms} ms, p99 ${platformResult.p99Ms} ms, ${platformResult.errors} errors, ${cpuMsPerRequest} ms CPU per request`);
    // The chains stay in `platform` until the next run continues them (withoutChainsRun drops them).
    return { bare: withoutChains(bareResult), platform: platformResult, cpuMsPerRequest };
  };
  const refreshRun = async (label: string, profile: boolean): Promise<RefreshRun> => {
    log(`refresh grant${label}: bare Node http, then the token endpoint (${options.connections} connections, ${options.seconds} s each)`);
    const run = await measure(
      'refresh grant',
      { url: bareUrl(bare), authorization, seconds: options.seconds, refreshTokens: chains.map((chain) => randomToken(chain.length)) },
      { url: tokenUrl, authorization, seconds: options.seconds, refreshTokens: chains },
      profile,
    );
    chains = run.platform.chains.filter(Boolean);
    return run;
  };
  const backendRun = (label: string, profile: boolean): Promise<RefreshRun> => {
    log(`client_credentials (private_key_jwt)${label}: bare Node http, then the token endpoint (${options.connections} connections, ${options.seconds} s each)`);
    // The bare server reads the same form, one assertion sent again and again (it checks none);
    // the token endpoint gets a new one each time, signed before the clock starts.
    return measure(
      'client_credentials',
      { url: bareUrl(bareBackend), seconds: options.seconds, refreshTokens: [], clientCredentials: backendClient },
      { url: tokenUrl, seconds: options.seconds, refreshTokens: [], clientCredentials: { ...backendClient, presigned: Math.ceil(BACKEND_PRESIGNED_PER_SECOND * (options.seconds + 1.5)) } },
      profile,
    );
  };
  const profile = options.profileDir !== undefined;
  try {
    const quiet = await refreshRun('', profile);
    const backend = await backendRun('', profile);
    if (!options.contention) return { ...withoutChainsRun(quiet), backend };
    const busy = startBusyProcess();
    try {
      const contended = await refreshRun(' with a busy process on one core', false);
      const contendedBackend = await backendRun(' with a busy process on one core', false);
      return { ...withoutChainsRun(quiet), backend, contended: withoutChainsRun(contended), contendedBackend };
    } finally {
      busy.kill();
    }
  } finally {
    bare.close();
    bareBackend.close();
  }
}

/** The demo payer's first token, once the authorization service knows it (the token response the bare server imitates). */
async function firstBackendToken(tokenUrl: string, client: BackendClient): Promise<Record<string, unknown>> {
  return eventually(
    async () => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: client.scope,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: clientAssertion(client, tokenUrl),
        }).toString(),
        signal: AbortSignal.timeout(15_000),
      });
      return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
    },
    { what: `a client_credentials token for ${client.clientId}`, timeoutMs: 15_000, intervalMs: 50 },
  );
}

function withoutChainsRun(run: RefreshRun): RefreshRun {
  return { ...run, platform: withoutChains(run.platform) };
}

/** Signals a service process and its workers (each writes a profile of its own). */
function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const each of [pid, ...childrenOf(pid)]) process.kill(each, signal);
}

/** A process that keeps one core busy (what other jobs on a shared host do) until it is killed. */
function startBusyProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

/** The CPU profiler preload (tools/bench/preload/cpu-profile.js), toggled by SIGWINCH around the load. */
/** `nodeOptions`: the service's own, which the preload is added to (a NODE_OPTIONS replaces them whole). */
function profilingEnv(profileDir: string | undefined, nodeOptions = ''): Record<string, string> {
  if (!profileDir) return {};
  // The service writes into it but does not create it.
  mkdirSync(path.resolve(profileDir), { recursive: true });
  const preload = path.resolve(__dirname, '../preload/cpu-profile.js');
  return { BENCH_CPU_PROFILE_DIR: path.resolve(profileDir), NODE_OPTIONS: `${nodeOptions} --require ${preload}`.trim() };
}

/** A load result without the refresh tokens its chains ended with (they stay out of the result file). */
function withoutChains(result: TokenLoadResult): TokenLoadResult {
  return { ...result, chains: [] };
}

function sampleServices(platform: Platform): Map<string, ProcessSample> {
  const samples = new Map<string, ProcessSample>();
  for (const service of platform.services) if (service.pid !== undefined) samples.set(service.name, sampleProcessTree(service.pid));
  return samples;
}

/**
 * Suspension → 401, `trials` times on one app: a fresh grant whose access token the FHIR API
 * accepts, the admin's suspend request, FHIR reads of that token every `pollIntervalMs` until the
 * first 401; then the admin reinstates the app (its old tokens stay revoked, so each trial starts
 * from a new grant). Then the same polling loop against a bare server, as many reads.
 */
async function benchSuspension(platform: Platform, registration: RegistrationApi, options: PlatformBenchOptions): Promise<SuspensionFigures> {
  const app = await registerApprovedApp(platform, registration, 'bench-suspension');
  const who = sandboxMember('BCNCUser06');
  const patientUrl = `${platform.fhirBase}/Patient/${who.patientId}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const toRejection: number[] = [];
  const suspendAnswered: number[] = [];
  const fhirPoll: number[] = [];
  let patientJson: Buffer | undefined;
  log(`suspension → FHIR 401: ${options.trials} trials, FHIR read every ${options.pollIntervalMs} ms`);
  try {
    for (let trial = 1; trial <= options.trials; trial += 1) {
      const { accessToken } = await issueTokens(platform.authorization.url, app, who);
      // The FHIR service learns of an approval or a reinstatement from the topic: wait until it serves the token.
      const accepted = await eventually(
        async () => {
          const read = await get(agent, patientUrl, accessToken);
          return read.status === 200 ? read : undefined;
        },
        { what: `the FHIR API to accept the token of trial ${trial}`, timeoutMs: 15_000, intervalMs: 20 },
      );
      patientJson ??= accepted.body;

      const began = performance.now();
      const suspended = registration.admin(app.registrationId, 'suspend', `Bench trial ${trial}.`).then((response) => ({ response, ms: performance.now() - began }));
      for (;;) {
        const sent = performance.now();
        const read = await get(agent, patientUrl, accessToken);
        const now = performance.now();
        if (read.status === 401) {
          toRejection.push(now - began);
          break;
        }
        if (read.status !== 200) throw new Error(`trial ${trial}: the FHIR API answered ${read.status} instead of 200 or 401`);
        fhirPoll.push(now - sent);
        if (now - began > REJECTION_TIMEOUT_MS) throw new Error(`trial ${trial}: the FHIR API still accepted the token ${Math.round(now - began)} ms after the suspend request`);
        await sleep(options.pollIntervalMs);
      }
      const { response, ms } = await suspended;
      expectStatus(response, 200, `admin suspend (trial ${trial})`);
      suspendAnswered.push(ms);
      if (trial % 10 === 0 || trial === options.trials) {
        const sofar = spread(toRejection);
        log(`  ${trial} trials: p50 ${sofar.p50Ms} ms, max ${sofar.maxMs} ms`);
      }

      // The authorization service learns of the suspension on its own: reinstating before it has
      // would let the next grant be issued to a client it still takes for approved, then revoked.
      await eventually(async () => !(await authorizationStarts(probeUrl(platform, app))), {
        what: `the authorization service to refuse the suspended ${app.clientId}`,
        timeoutMs: 15_000,
        intervalMs: 20,
      });
      expectStatus(await registration.admin(app.registrationId, 'reinstate', `Bench trial ${trial} done.`), 200, `admin reinstate (trial ${trial})`);
      await untilAuthorizationAccepts(platform, app);
      // Tokens and codes carry `iat` in whole seconds, and one of the suspension's own second counts
      // as issued before it (void): the next trial's grant starts in a later second.
      await sleep(1000 - (Date.now() % 1000) + 5);
    }
  } finally {
    agent.destroy();
  }

  // The same loop (one keep-alive connection, the same pause, a bearer header) against a bare
  // server answering the same Patient JSON, for as many reads as the trials made.
  const body = patientJson ?? Buffer.from('{}');
  const bare = await listen(
    createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/fhir+json; charset=utf-8' });
      response.end(body);
    }),
  );
  const bareAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const barePoll: number[] = [];
  try {
    const bareUrl = `http://127.0.0.1:${port(bare)}/Patient/${who.patientId}`;
    const token = randomToken(64);
    for (let read = 0; read < Math.max(fhirPoll.length, 200); read += 1) {
      const sent = performance.now();
      const answer = await get(bareAgent, bareUrl, token);
      if (answer.status !== 200) throw new Error(`the bare server answered ${answer.status}`);
      barePoll.push(performance.now() - sent);
      await sleep(options.pollIntervalMs);
    }
  } finally {
    bareAgent.destroy();
    bare.close();
  }
  return { toRejection: spread(toRejection), suspendAnswered: spread(suspendAnswered), fhirPoll: spread(fhirPoll), barePoll: spread(barePoll) };
}

/** Registered and approved through the registration API, and known as approved to the authorization service. */
async function registerApprovedApp(platform: Platform, registration: RegistrationApi, label: string): Promise<RegisteredApp> {
  const app = await registration.registerApprovedApp(label);
  await untilAuthorizationAccepts(platform, app);
  return app;
}

async function untilAuthorizationAccepts(platform: Platform, app: RegisteredApp): Promise<void> {
  await eventually(() => authorizationStarts(probeUrl(platform, app)), {
    what: `the authorization service to accept ${app.clientId}`,
    timeoutMs: 15_000,
    intervalMs: 20,
  });
}

/** An authorization request that only probes whether the authorization service takes the client for active. */
function probeUrl(platform: Platform, app: RegisteredApp): string {
  return authorizeUrl(platform.authorization.url, app.clientId, app.redirectUri, 'probe');
}

/**
 * A bare `node:http` token endpoint: reads the form, answers a JSON token response of the same
 * fields and sizes as the authorization service's (placeholder token strings, a new random
 * refresh token each time), with the same no-store headers.
 */
export function bareTokenServer(issued: Record<string, unknown>, grantType: 'refresh_token' | 'client_credentials' = 'refresh_token'): Server {
  const template = Object.fromEntries(Object.entries(issued).map(([key, value]) => [key, typeof value === 'string' && key.endsWith('token') ? 'x'.repeat(value.length) : value]));
  const refreshLength = typeof issued.refresh_token === 'string' ? issued.refresh_token.length : 43;
  const credential = grantType === 'refresh_token' ? 'refresh_token' : 'client_assertion';
  return createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const ok = incoming.method === 'POST' && form.get('grant_type') === grantType && Boolean(form.get(credential));
      response.writeHead(ok ? 200 : 400, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' });
      const answer = grantType === 'refresh_token' ? { ...template, refresh_token: randomToken(refreshLength) } : template;
      response.end(JSON.stringify(ok ? answer : { error: 'invalid_request' }));
    });
  });
}

/** Runs token-load-client.ts as a process of its own; the job (with credentials) goes through stdin. */
export function measureTokens(job: TokenLoadJob): Promise<TokenLoadResult> {
  const client = path.join(__dirname, 'token-load-client.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', client], {
      env: { ...process.env, TS_NODE_PROJECT: 'tools/bench/tsconfig.json' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the token load client exited with ${code}: ${stderr.slice(0, 1000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as TokenLoadResult);
    });
    child.stdin.end(JSON.stringify(job));
  });
}

/** One GET with a bearer token over the given agent: the status and the body. */
function get(agent: Agent, url: string, token: string): Promise<{ status: number; body: Buffer }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const call = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    call.setTimeout(15_000, () => call.destroy(new Error(`no answer from ${target.pathname} within 15 s`)));
    call.on('error', reject);
    call.end();
  });
}

function printTable(options: PlatformBenchOptions, refresh: RefreshFigures, suspension: SuspensionFigures): void {
  const load = (target: string, result: TokenLoadResult) =>
    `| ${target} | ${result.requests.toLocaleString('en-US')} | ${result.requestsPerSecond.toLocaleString('en-US')} | ${result.p50Ms} | ${result.p99Ms} | – | ${result.errors} |`;
  const latency = (target: string, figures: LatencySpread) => `| ${target} | ${figures.count.toLocaleString('en-US')} | – | ${figures.p50Ms} | ${figures.p99Ms} | ${figures.maxMs} | 0 |`;
  const ratio = refresh.platform.requestsPerSecond / refresh.bare.requestsPerSecond;
  const lines = [
    '',
    `| platform target | samples | req/s | p50 ms | p99 ms | max ms | errors |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
    load(`bare Node http: token JSON (POST form, ${options.connections} conn.)`, refresh.bare),
    load(`authorization: refresh grant (${options.connections} conn., rotation)`, refresh.platform),
    load(`bare Node http: client_credentials token JSON (POST form with an assertion)`, refresh.backend.bare),
    load(`authorization: client_credentials (private_key_jwt, ${options.connections} conn.)`, refresh.backend.platform),
    latency(`suspension → FHIR 401 (${options.trials} trials)`, suspension.toRejection),
    latency('admin suspend request → its 200', suspension.suspendAnswered),
    latency(`fhir: Patient read in the polling loop (200s)`, suspension.fhirPoll),
    latency(`bare Node http: same polling loop (every ${options.pollIntervalMs} ms)`, suspension.barePoll),
    '',
    ...(refresh.contended
      ? [
          load(`bare Node http: token JSON, one core busy`, refresh.contended.bare),
          load(`authorization: refresh grant, one core busy`, refresh.contended.platform),
        ]
      : []),
    ...(refresh.contendedBackend
      ? [
          load(`bare Node http: client_credentials token JSON, one core busy`, refresh.contendedBackend.bare),
          load(`authorization: client_credentials, one core busy`, refresh.contendedBackend.platform),
        ]
      : []),
    '',
    `refresh grant at ${(ratio * 100).toFixed(1)}% of the bare server's rate (target >= ${REFRESH_MIN_SHARE_OF_BARE * 100}%): ${ratio >= REFRESH_MIN_SHARE_OF_BARE ? 'met' : 'NOT met'}; ${refresh.platform.brokenChains} of ${options.connections} chains broke`,
    `refresh grant CPU ${refresh.cpuMsPerRequest} ms per request (target <= ${REFRESH_MAX_CPU_MS} ms): ${refresh.cpuMsPerRequest <= REFRESH_MAX_CPU_MS ? 'met' : 'NOT met'}`,
    `client_credentials at ${percentOf(refresh.backend.platform, refresh.backend.bare)}% of its bare server's rate, CPU ${refresh.backend.cpuMsPerRequest} ms per request`,
    ...(refresh.contended ? [contendedLine('refresh grant', refresh.contended)] : []),
    ...(refresh.contendedBackend ? [contendedLine('client_credentials', refresh.contendedBackend)] : []),
    `suspension → FHIR 401 p99 ${suspension.toRejection.p99Ms} ms (platform e2e bound ${SUSPENSION_BOUND_MS} ms): ${suspension.toRejection.p99Ms < SUSPENSION_BOUND_MS ? 'met' : 'NOT met'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  recordFigures(options, refresh, suspension);
}

function contendedLine(what: string, contended: RefreshRun): string {
  const factor = contended.platform.p99Ms / contended.platform.p50Ms;
  return `${what} with one core busy: p50 ${contended.platform.p50Ms} ms, p99 ${contended.platform.p99Ms} ms = ${factor.toFixed(1)}x its p50 (target <= ${CONTENDED_MAX_P99_OVER_P50}x): ${factor <= CONTENDED_MAX_P99_OVER_P50 ? 'met' : 'NOT met'}`;
}

function recordFigures(options: PlatformBenchOptions, refresh: RefreshFigures, suspension: SuspensionFigures): void {
  const { results } = options;
  const share = (run: RefreshRun) => round(run.platform.requestsPerSecond / run.bare.requestsPerSecond);
  results.add({ name: 'refresh grant: share of the bare server rate', value: share(refresh), unit: 'ratio', limit: { min: REFRESH_MIN_SHARE_OF_BARE }, detail: { bare: refresh.bare, platform: refresh.platform } });
  results.add({ name: 'refresh grant: authorization CPU per request', value: refresh.cpuMsPerRequest, unit: 'ms', limit: { max: REFRESH_MAX_CPU_MS } });
  results.add({ name: 'refresh grant: p99', value: refresh.platform.p99Ms, unit: 'ms' });
  if (refresh.contended) {
    const { contended } = refresh;
    results.add({ name: 'refresh grant, one core busy: share of the bare server rate', value: share(contended), unit: 'ratio', detail: { bare: contended.bare, platform: contended.platform } });
    results.add({ name: 'refresh grant, one core busy: p99 / own p50', value: round(contended.platform.p99Ms / contended.platform.p50Ms), unit: 'ratio', limit: { max: CONTENDED_MAX_P99_OVER_P50 } });
    results.add({ name: 'refresh grant, one core busy: p99', value: contended.platform.p99Ms, unit: 'ms' });
    results.add({ name: 'refresh grant, one core busy: authorization CPU per request', value: contended.cpuMsPerRequest, unit: 'ms' });
  }
  const { backend, contendedBackend } = refresh;
  results.add({ name: 'client_credentials: share of the bare server rate', value: share(backend), unit: 'ratio', detail: { bare: backend.bare, platform: backend.platform } });
  results.add({ name: 'client_credentials: authorization CPU per request', value: backend.cpuMsPerRequest, unit: 'ms' });
  results.add({ name: 'client_credentials: p99', value: backend.platform.p99Ms, unit: 'ms' });
  if (contendedBackend) {
    results.add({ name: 'client_credentials, one core busy: share of the bare server rate', value: share(contendedBackend), unit: 'ratio', detail: { bare: contendedBackend.bare, platform: contendedBackend.platform } });
    results.add({ name: 'client_credentials, one core busy: p99 / own p50', value: round(contendedBackend.platform.p99Ms / contendedBackend.platform.p50Ms), unit: 'ratio', limit: { max: CONTENDED_MAX_P99_OVER_P50 } });
    results.add({ name: 'client_credentials, one core busy: p99', value: contendedBackend.platform.p99Ms, unit: 'ms' });
    results.add({ name: 'client_credentials, one core busy: authorization CPU per request', value: contendedBackend.cpuMsPerRequest, unit: 'ms' });
  }
  results.add({ name: 'suspension → FHIR 401: p99', value: suspension.toRejection.p99Ms, unit: 'ms', limit: { max: SUSPENSION_BOUND_MS }, detail: suspension });
}

/** Resident memory of each service after start and after the loads, and its peak. */
function printMemory(results: BenchResults, resting: Map<string, ProcessSample>, after: Map<string, ProcessSample>): void {
  const lines = ['', '| service | RSS at rest, after start (MB) | RSS after the loads (MB) | peak RSS (MB) |', '| --- | ---: | ---: | ---: |'];
  for (const [name, start] of resting) {
    const end = after.get(name);
    lines.push(`| ${name} | ${start.rssMb} | ${end?.rssMb ?? '–'} | ${end?.peakRssMb ?? '–'} |`);
    results.add({ name: `${name}: RSS at rest after start`, value: start.rssMb, unit: 'MB' });
    if (end) {
      results.add({ name: `${name}: RSS after the loads`, value: end.rssMb, unit: 'MB' });
      results.add({ name: `${name}: peak RSS`, value: end.peakRssMb, unit: 'MB' });
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function randomToken(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}
