import { CLIENT_CHANGED_TOPIC, type ClientChangedEventV1 } from '@payer-access/client-status';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { startIsolatedKafka, type IsolatedKafka } from '@payer-access/testing';
import type { Browser } from 'playwright-core';
import { authorizationPageText, authorizeInBrowser, launchBrowser } from './support/browser';
import { report, stepWithDiagnostics } from './support/diagnostics';
import { authorizationStarts, authorizeUrl, getJson, seedAuthorizeUrl, seedTokenRequest, SEED_CLIENT, tokenRequest, type JsonResponse } from './support/http';
import { readTopic } from './support/kafka';
import { Platform } from './support/platform';
import { eventually, required, sleep } from './support/poll';
import { expectStatus, RegistrationApi, type RegisteredApp } from './support/registration';

const MEMBER = required(
  SANDBOX_MEMBERS.find((candidate) => candidate.username === 'BCNCUser06'),
  'the sandbox member BCNCUser06',
);
/** The bound on suspension → 401 across registration, Kafka and the FHIR service. */
const REVOCATION_BOUND_MS = 1_000;
const POLL_INTERVAL_MS = 20;

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

// Global timeouts do not reach a project of the multi-project run (tools/test/jest.config.js), so
// the file sets its own: a broker, three service starts and a browser in beforeAll. Every wait
// inside has a shorter deadline of its own that fails with a message naming what did not happen.
jest.setTimeout(240_000);

/**
 * An application's life across the three services: registered and approved through the
 * registration API, authorized by a member in the browser, then suspended, reinstated and
 * terminated by an admin — each decision travelling as a `registration.client.changed.v1` event
 * to the authorization and FHIR services. Then the same with the Kafka broker down in the middle,
 * a FHIR restart that must rebuild the client statuses before it reports ready, and an
 * authorization restart after which every client keeps its status and every token its verdict.
 */
describe('revocation across services over Kafka', () => {
  let kafkaBroker: IsolatedKafka | undefined;
  let started: Platform | undefined;
  let chromium: Browser | undefined;
  const platform = (): Platform => required(started, 'the platform');
  const browser = (): Browser => required(chromium, 'the browser');
  const kafka = (): IsolatedKafka => required(kafkaBroker, 'the Kafka broker');
  let registration: RegistrationApi;
  const step = stepWithDiagnostics(() => started?.diagnostics());
  /** The app terminated in the first part, and the tokens it held then: checked again after restarts. */
  let terminated: { app: RegisteredApp; tokens: Tokens } | undefined;

  beforeAll(async () => {
    // This file stops its broker: it must be its own, so that other test files keep theirs.
    const began = performance.now();
    kafkaBroker = await startIsolatedKafka('platform-e2e-revocation');
    const brokerMs = Math.round(performance.now() - began);
    [started, chromium] = await Promise.all([Platform.start({
        name: 'revocation',
        kafkaBrokers: kafkaBroker.brokers,
        kafkaCredentials: kafkaBroker.credentials,
        // The outage below checks that the seed client keeps its access across a broker restart
        // (no event lost, nothing refused that should not be): a bound longer than that restart
        // on a busy machine. Failing closed after the bound is fault-injection.e2e-spec.ts's part.
        env: { CLIENT_STATUS_MAX_STALENESS_SECONDS: '300' },
      }), launchBrowser()]);
    report(`revocation: Kafka broker started in ${brokerMs} ms; services (separate processes): ${started.startupSummary()}`);
    registration = new RegistrationApi(started.registration.url, started.mail);
  });

  afterAll(async () => {
    await chromium?.close();
    await started?.stop();
    await kafkaBroker?.dispose();
  });

  const readPatient = (accessToken: string): Promise<JsonResponse> => getJson(`${platform().fhirBase}/Patient/${MEMBER.patientId}`, accessToken);

  /** The member authorizes the app in the browser; the app exchanges the code (client_secret_basic). */
  async function authorize(app: RegisteredApp): Promise<Tokens> {
    const state = `state-${Date.now()}`;
    const redirect = await authorizeInBrowser(browser(), authorizeUrl(platform().authorization.url, app.clientId, app.redirectUri, state), app.redirectUri, MEMBER);
    expect(redirect.state).toBe(state);
    const response = await tokenRequest(platform().authorization.url, app, { grant_type: 'authorization_code', code: redirect.code ?? '', redirect_uri: app.redirectUri });
    expectStatus(response, 200, 'authorization code exchange');
    expect(response.body.patient).toBe(MEMBER.patientId);
    // Access tokens ES256, ID tokens RS256 (SMART): the FHIR reads below verify the former.
    const alg = (token: unknown) => (JSON.parse(Buffer.from(String(token).split('.')[0], 'base64url').toString('utf8')) as { alg?: string }).alg;
    expect([alg(response.body.access_token), alg(response.body.id_token)]).toEqual(['ES256', 'RS256']);
    return { accessToken: response.body.access_token as string, refreshToken: response.body.refresh_token as string };
  }

  /** Registered, approved, and known as approved to the authorization service (it learns from the topic). */
  async function registerApprovedApp(label: string): Promise<RegisteredApp> {
    const app = await registration.registerApprovedApp(label);
    await eventually(() => authorizationStarts(authorizeUrl(platform().authorization.url, app.clientId, app.redirectUri, 'probe')), {
      what: `the authorization service to learn that ${app.clientId} is approved`,
      timeoutMs: 15_000,
    });
    return app;
  }

  /** Polls a FHIR read every ~20 ms from `since` until it answers 401; the elapsed milliseconds. */
  async function millisecondsUntilRejected(accessToken: string, since: number, timeoutMs: number): Promise<number> {
    for (;;) {
      const response = await readPatient(accessToken);
      const elapsed = performance.now() - since;
      if (response.status === 401) return elapsed;
      if (response.status !== 200) throw new Error(`the FHIR API answered ${response.status} instead of 200 or 401: ${response.text.slice(0, 300)}`);
      if (elapsed > timeoutMs) throw new Error(`the FHIR API still accepted the token ${Math.round(elapsed)} ms after the suspension`);
      await sleep(POLL_INTERVAL_MS);
    }
  }

  async function expectRefreshRefused(app: RegisteredApp, refreshToken: string): Promise<void> {
    const refreshed = await tokenRequest(platform().authorization.url, app, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect({ status: refreshed.status, error: refreshed.body?.error, issued: refreshed.body?.access_token !== undefined }).toEqual({
      status: expect.any(Number),
      error: expect.any(String),
      issued: false,
    });
    expect([400, 401]).toContain(refreshed.status);
  }

  describe('suspend, reinstate, terminate', () => {
    let app: RegisteredApp;
    let first: Tokens;
    let second: Tokens;

    step('a developer registers an app, an admin approves it, a member authorizes it in the browser', async () => {
      app = await registerApprovedApp('revocation');
      first = await authorize(app);
      const read = await readPatient(first.accessToken);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ resourceType: 'Patient', id: MEMBER.patientId });
    });

    step(`suspension: the FHIR API rejects the live token within ${REVOCATION_BOUND_MS} ms`, async () => {
      const started = performance.now();
      const suspended = registration.admin(app.registrationId, 'suspend', 'Leaked client secret reported by the developer.');
      const elapsed = await millisecondsUntilRejected(first.accessToken, started, 10_000);
      expectStatus(await suspended, 200, 'admin suspend');
      report(`suspension → FHIR 401: ${Math.round(elapsed)} ms (admin request sent → first 401, polling every ${POLL_INTERVAL_MS} ms)`);
      expect(elapsed).toBeLessThan(REVOCATION_BOUND_MS);
    });

    step('while suspended, the refresh token and a new authorization fail', async () => {
      const url = authorizeUrl(platform().authorization.url, app.clientId, app.redirectUri, 'after-suspension');
      await eventually(async () => !(await authorizationStarts(url)), { what: 'the authorization service to refuse the suspended client', timeoutMs: 10_000 });
      await expectRefreshRefused(app, first.refreshToken);
      const page = await authorizationPageText(browser(), url);
      expect(page.status).toBeGreaterThanOrEqual(400);
      expect(page.text).not.toContain('I Understand');
      expect((await readPatient(first.accessToken)).status).toBe(401);
    });

    step('reinstated: the old tokens stay dead, a new authorization works', async () => {
      expectStatus(await registration.admin(app.registrationId, 'reinstate', 'Secret rotated; storage fixed.'), 200, 'admin reinstate');
      await eventually(() => authorizationStarts(authorizeUrl(platform().authorization.url, app.clientId, app.redirectUri, 'probe')), {
        what: 'the authorization service to accept the reinstated client',
        timeoutMs: 10_000,
      });
      second = await authorize(app);
      // The FHIR service learns of the reinstatement from the same topic: poll until it does.
      await eventually(async () => (await readPatient(second.accessToken)).status === 200, { what: 'the FHIR API to accept the new token', timeoutMs: 10_000 });
      // The suspension revoked the grant: neither its access token nor its refresh token comes back.
      expect((await readPatient(first.accessToken)).status).toBe(401);
      await expectRefreshRefused(app, first.refreshToken);
    });

    step('terminated: its tokens are rejected and reinstating it is a 409', async () => {
      const started = performance.now();
      expectStatus(await registration.admin(app.registrationId, 'terminate', 'Terms of use violated.'), 200, 'admin terminate');
      const elapsed = await millisecondsUntilRejected(second.accessToken, started, 10_000);
      report(`termination → FHIR 401: ${Math.round(elapsed)} ms`);
      expect(elapsed).toBeLessThan(REVOCATION_BOUND_MS);
      const reinstated = await registration.admin(app.registrationId, 'reinstate', 'Reconsidered.');
      expect(reinstated.status).toBe(409);
      expect((await readPatient(second.accessToken)).status).toBe(401);
      terminated = { app, tokens: second };
    });
  });

  describe('a redirect change of an approved app waits for staff', () => {
    let app: RegisteredApp;
    let changeId: string;
    const elsewhere = (): string => app.redirectUri.replace('https://', 'https://elsewhere-');

    step('the owner adds a redirect URI: the authorization server keeps refusing it until staff approve', async () => {
      app = await registerApprovedApp('redirect-change');
      const changed = await registration.update(app, { redirectUris: [app.redirectUri, elsewhere()] });
      expectStatus(changed, 200, 'owner PATCH redirectUris');
      expect(changed.body).toMatchObject({ redirectUris: [app.redirectUri], pendingChange: { values: { redirectUris: [app.redirectUri, elsewhere()] } } });
      changeId = (changed.body.pendingChange as { id: string }).id;
      // Longer than an outbox relay round and a consumer's handling take on this machine.
      const until = performance.now() + 3_000;
      while (performance.now() < until) {
        expect(await authorizationStarts(authorizeUrl(platform().authorization.url, app.clientId, elsewhere(), 'held'))).toBe(false);
        await sleep(250);
      }
      expect(await authorizationStarts(authorizeUrl(platform().authorization.url, app.clientId, app.redirectUri, 'in-force'))).toBe(true);
    });

    step('once approved, the new redirect URI is honoured', async () => {
      expectStatus(await registration.decideChange(app.registrationId, 'approve-change', changeId, 'Domain ownership verified.'), 200, 'approve-change');
      await eventually(() => authorizationStarts(authorizeUrl(platform().authorization.url, app.clientId, elsewhere(), 'approved')), {
        what: 'the authorization service to accept the approved redirect URI',
        timeoutMs: 15_000,
      });
    });
  });

  describe('Kafka outage during a suspension, then a FHIR restart', () => {
    let app: RegisteredApp;
    let tokens: Tokens;
    let seedToken: string;
    let pidsBefore: (number | undefined)[];

    step('an approved app and the seed client both hold live tokens', async () => {
      app = await registerApprovedApp('outage');
      tokens = await authorize(app);
      expect((await readPatient(tokens.accessToken)).status).toBe(200);
      const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(platform().authorization.url), SEED_CLIENT.redirectUri, MEMBER);
      const exchanged = await seedTokenRequest(platform().authorization.url, redirect.code ?? '');
      expectStatus(exchanged, 200, 'seed client code exchange');
      seedToken = exchanged.body.access_token as string;
      expect((await readPatient(seedToken)).status).toBe(200);
      pidsBefore = platform().services.map((service) => service.pid);
    });

    step('the broker stops; the suspension is accepted and takes effect once the broker is back, no service crashed', async () => {
      await kafka().stop();
      const suspended = await registration.admin(app.registrationId, 'suspend', 'Suspended during a broker outage.');
      expectStatus(suspended, 200, 'admin suspend while Kafka is down');
      // Nothing can carry the suspension now; every service keeps answering.
      for (const service of platform().services) expect((await getJson(`${service.url}/health/live`)).status).toBe(200);

      const restarted = performance.now();
      await kafka().start();
      const elapsed = await millisecondsUntilRejected(tokens.accessToken, restarted, 90_000);
      report(`broker back → suspension effective at the FHIR API: ${Math.round(elapsed)} ms`);
      await eventually(async () => !(await authorizationStarts(authorizeUrl(platform().authorization.url, app.clientId, app.redirectUri, 'probe'))), {
        what: 'the authorization service to refuse the client suspended during the outage',
        timeoutMs: 90_000,
      });
      await expectRefreshRefused(app, tokens.refreshToken);

      // No event lost: the topic holds every version of the client, in order, ending suspended.
      const events = (await readTopic<ClientChangedEventV1>(kafka().brokers, kafka().credentials.admin, CLIENT_CHANGED_TOPIC))
        .filter((record) => record.key === app.clientId)
        .map((record) => record.value);
      expect(events.map((event) => event.clientVersion)).toEqual(events.map((_, index) => index + 1));
      expect(events.at(-1)?.status).toBe('suspended');
      expect(events.map((event) => event.status)).toContain('approved');

      expect(platform().crashes()).toEqual([]);
      expect(platform().services.map((service) => service.pid)).toEqual(pidsBefore);
      expect((await readPatient(seedToken)).status).toBe(200);
    });

    step('a restarted FHIR service is not ready until it has rebuilt the client statuses from the topic', async () => {
      const fhir = platform().fhir;
      await fhir.stop();
      const restartBegan = performance.now();
      fhir.start();
      // From the first moment it answers: whenever it says ready, its verdicts must already be
      // right; before that, the suspended client's token must never be served.
      const observations: { ready: number; suspended: number; seed: number }[] = [];
      const deadline = Date.now() + 120_000;
      let readyAt: number | undefined;
      while (readyAt === undefined) {
        if (!fhir.alive) throw new Error('the FHIR service exited during its restart');
        if (Date.now() > deadline) throw new Error('the restarted FHIR service did not become ready within 120 s');
        const ready = await fhir.probeReady();
        if (ready.status !== 0) {
          const [suspended, seed] = await Promise.all([readPatient(tokens.accessToken), readPatient(seedToken)]);
          observations.push({ ready: ready.status, suspended: suspended.status, seed: seed.status });
          if (ready.status === 200) readyAt = observations.length;
        }
        await sleep(10);
      }
      const notReady = observations.filter((observation) => observation.ready !== 200);
      report(
        `FHIR restart: ready ${Math.round(performance.now() - restartBegan)} ms after the spawn; ` +
          `${notReady.length} not-ready answer(s) (${[...new Set(notReady.map((o) => o.ready))].join(',') || 'none'}) seen before ready`,
      );
      expect(observations.filter((observation) => observation.suspended === 200)).toEqual([]);
      for (const observation of notReady) expect(observation.ready).toBe(503);
      // Ready means caught up: the suspended client is refused, the approved one served.
      expect((await readPatient(tokens.accessToken)).status).toBe(401);
      expect((await readPatient(seedToken)).status).toBe(200);
      expect(platform().crashes()).toEqual([]);
      expect([platform().registration.pid, platform().authorization.pid]).toEqual(pidsBefore.slice(0, 2));
    });

    step('a restarted authorization service rebuilds every client from the topic: approved, suspended and terminated alike', async () => {
      const authorization = platform().authorization;
      const fhirPid = platform().fhir.pid;
      await authorization.stop();
      const restartBegan = performance.now();
      authorization.start();
      await authorization.waitReady();
      report(`authorization restart: ready ${Math.round(performance.now() - restartBegan)} ms after the spawn`);
      const authorizationUrl = authorization.url;

      // Tokens issued before the restart keep their verdicts.
      expect((await readPatient(seedToken)).status).toBe(200);
      expect((await readPatient(tokens.accessToken)).status).toBe(401);
      await expectRefreshRefused(app, tokens.refreshToken);
      const gone = required(terminated, 'the app terminated in the first part');
      expect((await readPatient(gone.tokens.accessToken)).status).toBe(401);
      await expectRefreshRefused(gone.app, gone.tokens.refreshToken);

      // Suspended and terminated clients stay refused; the approved seed client authorizes anew.
      expect(await authorizationStarts(authorizeUrl(authorizationUrl, app.clientId, app.redirectUri, 'after-restart'))).toBe(false);
      expect(await authorizationStarts(authorizeUrl(authorizationUrl, gone.app.clientId, gone.app.redirectUri, 'after-restart'))).toBe(false);
      const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(authorizationUrl), SEED_CLIENT.redirectUri, MEMBER);
      const exchanged = await seedTokenRequest(authorizationUrl, redirect.code ?? '');
      expectStatus(exchanged, 200, 'seed client code exchange after the restart');
      expect((await readPatient(exchanged.body.access_token as string)).status).toBe(200);

      // And it keeps consuming: an app approved after the restart is known to it.
      const later = await registerApprovedApp('after-authorization-restart');
      expect((await readPatient((await authorize(later)).accessToken)).status).toBe(200);

      expect(platform().crashes()).toEqual([]);
      expect([platform().registration.pid, platform().fhir.pid]).toEqual([pidsBefore[0], fhirPid]);
    });
  });
});
