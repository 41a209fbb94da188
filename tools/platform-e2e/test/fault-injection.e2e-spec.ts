import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { isRunning, startIsolatedKafka, type IsolatedKafka } from '@payer-access/testing';
import type { Browser } from 'playwright-core';
import { authorizeInBrowser, launchBrowser } from './support/browser';
import { report, stepWithDiagnostics } from './support/diagnostics';
import { authorizationStarts, authorizeUrl, tokenRequest } from './support/http';
import { Platform } from './support/platform';
import { eventually, required, sleep } from './support/poll';
import { RegistrationApi, type AdminAction, type RegisteredApp } from './support/registration';
import type { ServiceProcess } from './support/service-process';

const MEMBER = required(
  SANDBOX_MEMBERS.find((candidate) => candidate.username === 'BCNCUser06'),
  'the sandbox member BCNCUser06',
);
/** CLIENT_STATUS_MAX_STALENESS_SECONDS of this run: short, so that outages longer than it fit in the file's time. */
const BOUND_SECONDS = 10;
const BOUND_MS = BOUND_SECONDS * 1000;
/** How long registration and the broker stay dead: past the bound, so that both services must fail closed. */
const OUTAGE_MS = BOUND_MS + 4_000;
const PROBE_PAUSE_MS = 100;
const REFRESH_EVERY_MS = 2_000;

jest.setTimeout(420_000);

interface AppState {
  label: string;
  registered: RegisteredApp;
  /** Registration's last committed status, as its admin API answered. */
  status: 'approved' | 'suspended';
  /** When each suspension was asked for, and by when it had committed (the 200 received). */
  suspensions: { requestedAt: number; committedBy: number }[];
}

interface HeldToken {
  app: AppState;
  accessToken: string;
  refreshToken: string;
  /** After the token response: the token was issued before this. */
  mintedBy: number;
  lastRefreshAttempt: number;
}

interface Probe {
  token: HeldToken;
  start: number;
  status: number;
}

interface RefreshAttempt {
  token: HeldToken;
  start: number;
  status: number;
  issued: boolean;
}

/**
 * A smaller version of the chaos run of the trust issue: three apps, a few member tokens each,
 * suspensions and reinstatements while FHIR, authorization, registration and the broker are each
 * killed (`kill -9`) and restarted, with every token read at the FHIR API about every 100 ms
 * throughout. Asserted from what was observed:
 * - no token of an app is honoured later than the staleness bound after a suspension that
 *   committed after it was issued, even once the app is reinstated (so a credential issued before
 *   a suspension never comes back);
 * - no refresh of a grant a suspension covered succeeds once the bound has passed;
 * - registration or the broker dead for longer than the bound: FHIR and authorization refuse
 *   everything with 503, and recover when events flow again;
 * - once everything is back, every app converges: registration, authorization and FHIR agree.
 */
describe('fault injection: revocation holds while processes and the broker are killed', () => {
  let kafkaBroker: IsolatedKafka | undefined;
  let started: Platform | undefined;
  let chromium: Browser | undefined;
  const platform = (): Platform => required(started, 'the platform');
  const kafka = (): IsolatedKafka => required(kafkaBroker, 'the Kafka broker');
  const step = stepWithDiagnostics(() => started?.diagnostics());
  let registration: RegistrationApi;
  const apps: AppState[] = [];
  const tokens: HeldToken[] = [];
  const probes: Probe[] = [];
  const refreshes: RefreshAttempt[] = [];
  const outages: { what: string; from: number; to: number }[] = [];
  let probing: Promise<void> | undefined;
  let stopProbing = false;
  let began = 0;

  beforeAll(async () => {
    began = performance.now();
    // Its own broker: this file kills it.
    kafkaBroker = await startIsolatedKafka('platform-e2e-fault-injection');
    [started, chromium] = await Promise.all([
      Platform.start({
        name: 'fault-injection',
        kafkaBrokers: kafkaBroker.brokers,
        kafkaCredentials: kafkaBroker.credentials,
        env: { CLIENT_STATUS_MAX_STALENESS_SECONDS: String(BOUND_SECONDS), CLIENT_STATUS_HEARTBEAT_INTERVAL_SECONDS: '1' },
      }),
      launchBrowser(),
    ]);
    registration = new RegistrationApi(started.registration.url, started.mail);
  });

  afterAll(async () => {
    stopProbing = true;
    await probing?.catch(() => undefined);
    await chromium?.close();
    await started?.stop();
    await kafkaBroker?.dispose();
  });

  /** A FHIR read with the token; 0 when nothing answers (the service is dead). */
  async function read(accessToken: string): Promise<number> {
    try {
      const response = await fetch(`${platform().fhirBase}/Patient/${MEMBER.patientId}`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/fhir+json' },
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  async function refresh(token: HeldToken): Promise<{ status: number; issued: boolean; error?: unknown }> {
    try {
      const response = await tokenRequest(platform().authorization.url, token.app.registered, { grant_type: 'refresh_token', refresh_token: token.refreshToken });
      return { status: response.status, issued: typeof response.body?.access_token === 'string', error: response.body?.error };
    } catch {
      return { status: 0, issued: false };
    }
  }

  const newestToken = (app: AppState): HeldToken => required([...tokens].reverse().find((token) => token.app === app), `a token of ${app.label}`);

  /** Suspensions of the token's app asked for after the token was issued: each voids it for good. */
  const coveringSuspensions = (token: HeldToken) => token.app.suspensions.filter((suspension) => suspension.requestedAt > token.mintedBy);

  /** Reads every token in turn, and tries to refresh those a suspension covered once the bound has passed. */
  async function probeUntilStopped(): Promise<void> {
    while (!stopProbing) {
      for (const token of [...tokens]) {
        const start = Date.now();
        probes.push({ token, start, status: await read(token.accessToken) });
        const due = coveringSuspensions(token).some((suspension) => start > suspension.committedBy + BOUND_MS);
        if (due && start - token.lastRefreshAttempt > REFRESH_EVERY_MS) {
          token.lastRefreshAttempt = start;
          const attempt = await refresh(token);
          refreshes.push({ token, start, status: attempt.status, issued: attempt.issued });
        }
      }
      await sleep(PROBE_PAUSE_MS);
    }
  }

  /** The member authorizes the app in the browser (retried while a service is away or its view stale). */
  async function mint(app: AppState): Promise<HeldToken> {
    return eventually(
      async () => {
        const redirect = await authorizeInBrowser(required(chromium, 'the browser'), authorizeUrl(platform().authorization.url, app.registered.clientId, app.registered.redirectUri, 'chaos'), app.registered.redirectUri, MEMBER);
        const response = await tokenRequest(platform().authorization.url, app.registered, { grant_type: 'authorization_code', code: redirect.code ?? '', redirect_uri: app.registered.redirectUri });
        if (response.status !== 200) return undefined;
        const token = { app, accessToken: response.body.access_token as string, refreshToken: response.body.refresh_token as string, mintedBy: Date.now(), lastRefreshAttempt: 0 };
        tokens.push(token);
        return token;
      },
      { what: `a member token for ${app.label}`, timeoutMs: 90_000, intervalMs: 500 },
    );
  }

  /**
   * An admin decision, retried while registration is away (a restarted registration signs portal
   * tokens with a new sandbox key, so the admin logs in again). Records when a suspension committed.
   */
  async function decide(app: AppState, action: Extract<AdminAction, 'suspend' | 'reinstate'>): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const requestedAt = Date.now();
      const response = await registration.admin(app.registered.registrationId, action, `fault injection: ${action}`).catch(() => undefined);
      if (response?.status === 200) {
        const committedBy = Date.now();
        if (action === 'suspend') app.suspensions.push({ requestedAt, committedBy });
        app.status = action === 'suspend' ? 'suspended' : 'approved';
        return;
      }
      if (response?.status === 401) registration = new RegistrationApi(platform().registration.url, platform().mail);
      if (Date.now() > deadline) throw new Error(`${action} of ${app.label} failed: ${response ? `${response.status} ${response.text.slice(0, 300)}` : 'registration unreachable'}`);
      await sleep(500);
    }
  }

  async function crashAndRestart(service: ServiceProcess, downMs: number): Promise<void> {
    await service.kill();
    await sleep(downMs);
    service.start();
  }

  /**
   * Resolves with the instant of the SIGKILL, once the broker is gone: finding its pid takes a
   * while, and heartbeats (each vouching for the view as of its sending) flow until the kill.
   */
  async function killBroker(): Promise<number> {
    const { pid } = await kafka().status();
    if (typeof pid !== 'number' || Number.isNaN(pid)) throw new Error('the broker has no pid to kill');
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    await eventually(() => !isRunning(pid), { what: 'the broker to die', timeoutMs: 15_000 });
    return killedAt;
  }

  /** Every service refuses with 503 while the view is stale: FHIR a live token, authorization a token request. */
  async function expectFailedClosed(what: string, liveToken: HeldToken): Promise<void> {
    const fhir = await fetch(`${platform().fhirBase}/Patient/${MEMBER.patientId}`, { headers: { authorization: `Bearer ${liveToken.accessToken}` } });
    const outcome = (await fhir.json()) as { resourceType?: string; issue?: { code?: string }[] };
    expect({ what, status: fhir.status, retryAfter: fhir.headers.get('retry-after') !== null, outcome: outcome.resourceType, code: outcome.issue?.[0]?.code }).toEqual({
      what,
      status: 503,
      retryAfter: true,
      outcome: 'OperationOutcome',
      code: 'transient',
    });
    const token = await tokenRequest(platform().authorization.url, liveToken.app.registered, { grant_type: 'refresh_token', refresh_token: liveToken.refreshToken });
    expect({ what, status: token.status, error: token.body?.error }).toEqual({ what, status: 503, error: 'temporarily_unavailable' });
    expect((await platform().fhir.probeReady()).status).toBe(503);
    expect((await platform().authorization.probeReady()).status).toBe(503);
  }

  /** Milliseconds from `since` until FHIR answers the token with something else than 503 or nothing. */
  async function millisecondsUntilCurrent(token: HeldToken, since: number): Promise<number> {
    await eventually(async () => ![0, 503].includes(await read(token.accessToken)), { what: 'the FHIR view to be current again', timeoutMs: 90_000, intervalMs: 100 });
    return Date.now() - since;
  }

  step('three approved apps, two member tokens each, read at the FHIR API every ~100 ms from now on', async () => {
    for (const label of ['alpha', 'bravo', 'charlie']) {
      const registered = await registration.registerApprovedApp(`chaos-${label}`);
      apps.push({ label, registered, status: 'approved', suspensions: [] });
    }
    for (const app of apps) {
      await eventually(() => authorizationStarts(authorizeUrl(platform().authorization.url, app.registered.clientId, app.registered.redirectUri, 'probe')), {
        what: `the authorization service to learn that ${app.label} is approved`,
        timeoutMs: 30_000,
      });
      await mint(app);
      await mint(app);
    }
    for (const token of tokens) expect(await read(token.accessToken)).toBe(200);
    probing = probeUntilStopped();
  });

  step('suspensions while FHIR and then authorization are killed and restarted', async () => {
    const [alpha, bravo] = apps;
    await decide(alpha, 'suspend');
    await crashAndRestart(platform().fhir, 1_000);
    await decide(bravo, 'suspend');
    await crashAndRestart(platform().authorization, 1_000);
    await Promise.all([platform().fhir.waitReady(90_000), platform().authorization.waitReady(90_000)]);
    await decide(alpha, 'reinstate');
    // A live token from here on: the outages below must stop it being honoured.
    await mint(alpha);
  });

  step(`registration dead for ${OUTAGE_MS / 1000} s: FHIR and authorization fail closed after the bound, and recover once it is back`, async () => {
    const [alpha, , charlie] = apps;
    const live = newestToken(alpha);
    const from = Date.now();
    await platform().registration.kill();
    await sleep(OUTAGE_MS);
    await expectFailedClosed('registration down', live);
    // Blind from `from` until the restart: heartbeats may flow again as soon as it is spawned.
    const restarted = Date.now();
    outages.push({ what: 'registration', from, to: restarted });
    platform().registration.start();
    await platform().registration.waitReady(90_000);
    registration = new RegistrationApi(platform().registration.url, platform().mail);
    report(`fault injection: registration restarted → FHIR view current again in ${await millisecondsUntilCurrent(live, restarted)} ms`);
    await decide(charlie, 'suspend');
  });

  step(`the broker killed for ${OUTAGE_MS / 1000} s with a reinstatement and a suspension committed meanwhile: everything fails closed, then both take effect`, async () => {
    const [alpha, bravo] = apps;
    // Blind from the kill: a heartbeat sent while the broker's pid was being looked up still counts.
    const from = await killBroker();
    await decide(bravo, 'reinstate');
    await decide(alpha, 'suspend');
    await sleep(Math.max(0, from + OUTAGE_MS - Date.now()));
    await expectFailedClosed('broker down', newestToken(alpha));
    const restarted = Date.now();
    outages.push({ what: 'broker', from, to: restarted });
    await kafka().start();
    report(`fault injection: broker restarted → FHIR view current again in ${await millisecondsUntilCurrent(tokens[0], restarted)} ms`);
  });

  step('a token minted after the reinstatement, then FHIR and authorization killed together; the last app reinstated', async () => {
    const [, bravo, charlie] = apps;
    await mint(bravo);
    await Promise.all([crashAndRestart(platform().fhir, 500), crashAndRestart(platform().authorization, 500)]);
    await decide(charlie, 'reinstate');
    await Promise.all([platform().fhir.waitReady(90_000), platform().authorization.waitReady(90_000)]);
    await mint(charlie);
  });

  step('every app converges: authorization and FHIR agree with registration once everything is back', async () => {
    await eventually(
      async () => {
        for (const app of apps) {
          const starts = await authorizationStarts(authorizeUrl(platform().authorization.url, app.registered.clientId, app.registered.redirectUri, 'probe'));
          if (starts !== (app.status === 'approved')) return false;
          const status = await read(newestToken(app).accessToken);
          if (status !== (app.status === 'approved' ? 200 : 401)) return false;
        }
        return true;
      },
      { what: 'authorization and FHIR to agree with registration on every app', timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(apps.map((app) => [app.label, app.status])).toEqual([
      ['alpha', 'suspended'],
      ['bravo', 'approved'],
      ['charlie', 'approved'],
    ]);
    // Wait a bound past the last suspension, so every probe that could violate it has been made.
    const lastSuspension = Math.max(...apps.flatMap((app) => app.suspensions.map((suspension) => suspension.committedBy)));
    await sleep(Math.max(0, lastSuspension + BOUND_MS + 2 * REFRESH_EVERY_MS - Date.now()));
  });

  step('what was observed: nothing honoured past the bound, no covered refresh, nothing honoured while a service was blind', async () => {
    stopProbing = true;
    await probing;
    const honouredTooLate = probes
      .filter((probe) => probe.status === 200)
      .flatMap((probe) =>
        coveringSuspensions(probe.token)
          .filter((suspension) => probe.start > suspension.committedBy + BOUND_MS)
          .map((suspension) => `${probe.token.app.label}: a token issued before a suspension read at +${probe.start - suspension.committedBy} ms`),
      );
    const coveredRefreshes = refreshes.filter((attempt) => attempt.issued).map((attempt) => `${attempt.token.app.label}: refreshed at ${new Date(attempt.start).toISOString()}`);
    const honouredBlind = probes
      .filter((probe) => probe.status === 200)
      .flatMap((probe) => outages.filter((outage) => probe.start > outage.from + BOUND_MS && probe.start < outage.to).map((outage) => `${probe.token.app.label}: read during the ${outage.what} outage at +${probe.start - outage.from} ms`));

    const latest = probes
      .filter((probe) => probe.status === 200)
      .flatMap((probe) => coveringSuspensions(probe.token).map((suspension) => probe.start - suspension.committedBy))
      .filter((delay) => delay > 0);
    const count = (status: number) => probes.filter((probe) => probe.status === status).length;
    report(
      `fault injection: ${apps.length} apps, ${tokens.length} tokens, ${apps.reduce((sum, app) => sum + app.suspensions.length, 0)} suspensions, ` +
        `${platform().services.map((service) => `${service.name} ${service.starts - 1}`).join(', ')} restart(s), broker killed once; ` +
        `${probes.length} reads (200: ${count(200)}, 401: ${count(401)}, 503: ${count(503)}, no answer: ${count(0)}), ${refreshes.length} covered refresh attempts; ` +
        `latest read of a covered token after its suspension: ${latest.length ? Math.max(...latest) : 0} ms (bound ${BOUND_MS} ms); ` +
        `file ${Math.round((performance.now() - began) / 1000)} s`,
    );
    expect({ honouredTooLate, coveredRefreshes, honouredBlind }).toEqual({ honouredTooLate: [], coveredRefreshes: [], honouredBlind: [] });
    expect(refreshes.length).toBeGreaterThan(0);
    expect(platform().crashes()).toEqual([]);
    expect(count(401)).toBeGreaterThan(0);
    expect(count(503)).toBeGreaterThan(0);
  });
});
