import { createServer, type Server } from 'node:http';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { startIsolatedKafka, type IsolatedKafka } from '@payer-access/testing';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { report, stepWithDiagnostics } from './support/diagnostics';
import { freePorts, Platform } from './support/platform';
import { required } from './support/poll';
import { RegistrationApi, type RegisteredApp } from './support/registration';

jest.setTimeout(240_000);

const MEMBER = SANDBOX_MEMBERS.find((each) => each.username === 'BCNCUser04') ?? SANDBOX_MEMBERS[0];

/** What the app's pages report back to the test once the launch is over. */
interface LaunchOutcome {
  discoveredAt: string;
  tokenStatus: number;
  patient: string;
  scope: string;
  readStatus: number;
  etag: string | null;
  patientId: string;
  refreshStatus: number;
  refreshedDiffers: boolean;
  readAfterRefreshStatus: number;
  error?: string;
}

/**
 * The requests of a SMART App Launch 2 standalone launch by a public browser app, as SMART's
 * client-js (`fhirclient`) makes them, from a page on its own origin: discovery at the FHIR base,
 * PKCE S256 with `aud`, the code exchange without a secret, a read with the bearer token, then a
 * refresh with only `grant_type` and `refresh_token`. Every call is cross-origin, so the browser
 * enforces CORS on each. https://hl7.org/fhir/smart-app-launch/STU2/app-launch.html
 */
const LAUNCH_PAGE = `<!doctype html><meta charset="utf-8"><title>launch</title><script>
(async () => {
  const query = new URLSearchParams(location.search);
  const iss = query.get('iss');
  const clientId = query.get('client_id');
  const configuration = await (await fetch(iss + '/.well-known/smart-configuration')).json();
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  const base64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const verifier = base64url(bytes);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const redirectUri = location.origin + '/app.html';
  sessionStorage.setItem('launch', JSON.stringify({ iss, clientId, verifier, state, redirectUri, configuration }));
  location.assign(configuration.authorization_endpoint + '?' + new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid fhirUser launch/patient offline_access patient/*.read',
    state, aud: iss, code_challenge: challenge, code_challenge_method: 'S256',
  }));
})();
</script>`;

const APP_PAGE = `<!doctype html><meta charset="utf-8"><title>app</title><script>
(async () => {
  const launch = JSON.parse(sessionStorage.getItem('launch'));
  const query = new URLSearchParams(location.search);
  const outcome = { discoveredAt: launch.configuration.token_endpoint };
  try {
    if (query.get('state') !== launch.state) throw new Error('state mismatch');
    const form = (fields) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    const exchanged = await fetch(launch.configuration.token_endpoint, form({
      grant_type: 'authorization_code', code: query.get('code'), redirect_uri: launch.redirectUri, client_id: launch.clientId, code_verifier: launch.verifier,
    }));
    const tokens = await exchanged.json();
    Object.assign(outcome, { tokenStatus: exchanged.status, patient: tokens.patient, scope: tokens.scope });
    const read = await fetch(launch.iss + '/Patient/' + tokens.patient, { headers: { Authorization: 'Bearer ' + tokens.access_token, Accept: 'application/fhir+json' } });
    Object.assign(outcome, { readStatus: read.status, etag: read.headers.get('ETag'), patientId: (await read.json()).id });
    const refreshed = await fetch(launch.configuration.token_endpoint, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
    const renewed = await refreshed.json();
    Object.assign(outcome, { refreshStatus: refreshed.status, refreshedDiffers: Boolean(renewed.access_token) && renewed.access_token !== tokens.access_token });
    const again = await fetch(launch.iss + '/Patient/' + tokens.patient, { headers: { Authorization: 'Bearer ' + renewed.access_token }, cache: 'no-store' });
    outcome.readAfterRefreshStatus = again.status;
  } catch (error) {
    outcome.error = String(error);
  }
  window.launchOutcome = outcome;
})();
</script>`;

/**
 * Browser SMART apps and off-the-shelf clients against the three services as separate processes:
 * the SMART configuration at the FHIR base is the issuer's own, and a public browser app on its
 * own origin launches, reads and refreshes.
 */
describe('a browser SMART app across the platform (headless Chromium)', () => {
  let kafkaBroker: IsolatedKafka | undefined;
  let started: Platform | undefined;
  let chromium: Browser | undefined;
  let appServer: Server | undefined;
  let appOrigin = '';
  const platform = (): Platform => required(started, 'the platform');
  const step = stepWithDiagnostics(() => started?.diagnostics());

  beforeAll(async () => {
    const [appPort] = await freePorts(1);
    appOrigin = `http://127.0.0.1:${appPort}`;
    appServer = createServer((request, response) => {
      const path = new URL(request.url ?? '/', appOrigin).pathname;
      const page = path === '/launch.html' ? LAUNCH_PAGE : path === '/app.html' ? APP_PAGE : undefined;
      response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => appServer?.listen(appPort, '127.0.0.1', resolve));
    kafkaBroker = await startIsolatedKafka('platform-e2e-smart-app');
    [started, chromium] = await Promise.all([Platform.start({ name: 'smart-app', kafkaBrokers: kafkaBroker.brokers, kafkaCredentials: kafkaBroker.credentials }), launchBrowser()]);
    report(`smart-app: services (separate processes): ${started.startupSummary()}`);
  });

  afterAll(async () => {
    await chromium?.close();
    await started?.stop();
    await kafkaBroker?.dispose();
    await new Promise((resolve) => appServer?.close(resolve));
  });

  step('the SMART configuration at the FHIR base is the one at the issuer, byte for byte', async () => {
    const [atIssuer, atBase] = await Promise.all([
      fetch(`${platform().authorization.url}/.well-known/smart-configuration`),
      fetch(`${platform().fhirBase}/.well-known/smart-configuration`),
    ]);
    expect([atIssuer.status, atBase.status]).toEqual([200, 200]);
    const text = await atBase.text();
    expect(text).toBe(await atIssuer.text());
    expect(JSON.parse(text)).toMatchObject({ issuer: platform().authorization.url, token_endpoint: `${platform().authorization.url}/fhirmember/sps/oauth/oauth20/token` });
  });

  step('a public browser app launches standalone, reads the patient and refreshes without client_id', async () => {
    const app: RegisteredApp = await new RegistrationApi(platform().registration.url, platform().mail).registerApprovedApp('browser', {
      clientType: 'public',
      redirectUri: `${appOrigin}/app.html`,
    });
    const context = await required(chromium, 'the browser').newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const launchedAt = performance.now();
      await page.goto(`${appOrigin}/launch.html?${new URLSearchParams({ iss: platform().fhirBase, client_id: app.clientId }).toString()}`);
      await page.getByRole('button', { name: 'I Understand' }).click();
      await page.getByLabel('User name').fill(MEMBER.username);
      await page.getByLabel('Password').fill(MEMBER.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByLabel('Self').check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'I Agree' }).click();
      // The page's global object, as seen from the test (compiled without the DOM library).
      await page.waitForFunction(() => (globalThis as { launchOutcome?: unknown }).launchOutcome !== undefined);
      const outcome = (await page.evaluate(() => (globalThis as { launchOutcome?: unknown }).launchOutcome)) as LaunchOutcome;
      report(`smart-app: standalone launch to refreshed read in ${Math.round(performance.now() - launchedAt)} ms`);
      expect(outcome).toEqual({
        discoveredAt: `${platform().authorization.url}/fhirmember/sps/oauth/oauth20/token`,
        tokenStatus: 200,
        patient: MEMBER.patientId,
        scope: expect.stringContaining('patient/*.read'),
        readStatus: 200,
        etag: expect.stringMatching(/^W\/"/),
        patientId: MEMBER.patientId,
        refreshStatus: 200,
        refreshedDiffers: true,
        readAfterRefreshStatus: 200,
      });
    } finally {
      await context.close();
    }
  });
});
