import { createHash, randomBytes } from 'node:crypto';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { SAMPLE_APP_CLIENT } from '@payer-access/registration-service';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { Browser, Page } from 'playwright-core';
// The platform suite's helpers drive the same public routes and member pages.
import { launchBrowser } from '../../platform-e2e/test/support/browser';
import { report } from '../../platform-e2e/test/support/diagnostics';
import { authorizationStarts, getJson } from '../../platform-e2e/test/support/http';
import { freePorts } from '../../platform-e2e/test/support/platform';
import { eventually, required } from '../../platform-e2e/test/support/poll';
import { startSandbox, type RunningSandbox } from '../src/sandbox';
import { allReady, FHIR_BASE_PATH, sandboxEnv } from './support/sandbox';

// The whole platform with the sandbox data set, and a browser.
jest.setTimeout(300_000);

const MEMBER = required(
  SANDBOX_MEMBERS.find((candidate) => candidate.username === 'BCNCUser03'),
  'the sandbox member BCNCUser03',
);
/** The seed's member BCNCUser03 has 148 claims (seed 002). */
const MEMBER_CLAIMS = 148;

/**
 * `npm start`'s sample SMART app, in headless Chromium: served on its own origin, registered as an
 * approved public client, launched standalone with SMART's own `fhirclient` library through the
 * member pages, then reading, paging, refreshing and revoking against the running platform.
 */
describe('the sample SMART app against the one-process sandbox', () => {
  let database: TestDatabase | undefined;
  let sandbox: RunningSandbox | undefined;
  let chromium: Browser | undefined;
  let page: Page | undefined;
  const running = (): RunningSandbox => required(sandbox, 'the sandbox');
  const app = (): Page => required(page, 'the app page');
  const origins = new Set<string>();

  beforeAll(async () => {
    const [created, [registrationPort, authorizationPort, fhirPort, appPort], launched] = await Promise.all([
      createTestDatabase('pa_sample_smart_app'),
      freePorts(4),
      launchBrowser(),
    ]);
    database = created;
    chromium = launched;
    sandbox = await startSandbox({
      env: {
        ...sandboxEnv(created.url, { registration: registrationPort, authorization: authorizationPort, fhir: fhirPort }),
        SAMPLE_APP_PORT: String(appPort),
        SAMPLE_APP_HOST: '127.0.0.1',
        SAMPLE_APP_PUBLIC_URL: `http://127.0.0.1:${appPort}`,
      },
      logLevels: ['error'],
    });
    await allReady(sandbox);
    // The authorization service learns of the seeded client over the bus; a public client must use PKCE.
    const probe = new URLSearchParams({
      response_type: 'code',
      client_id: SAMPLE_APP_CLIENT.clientId,
      redirect_uri: `${sandbox.sampleAppUrl}${SAMPLE_APP_CLIENT.redirectPath}`,
      scope: 'openid patient/*.read',
      state: 'probe',
      code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
      code_challenge_method: 'S256',
    });
    await eventually(() => authorizationStarts(`${running().urls.authorization}/fhirmember/sps/oauth/oauth20/authorize?${probe.toString()}`), {
      what: 'the authorization service to learn that the sample app is approved',
      timeoutMs: 15_000,
    });
    const context = await launched.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
  });

  afterAll(async () => {
    await chromium?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  const status = () => app().getByRole('status');
  const claimIds = () => app().locator('#claims tbody tr').evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { id: string } }).dataset.id));

  it('is served on its own origin with fhirclient from the app itself, and registered as a public client', async () => {
    const sampleAppUrl = required(running().sampleAppUrl, 'the sample app URL');
    expect(new URL(sampleAppUrl).origin).not.toBe(new URL(running().urls.fhir).origin);
    const config = await getJson<{ iss: string; clientId: string; scope: string }>(`${sampleAppUrl}/config.json`);
    expect(config.body).toEqual({ iss: `${running().urls.fhir}${FHIR_BASE_PATH}`, clientId: SAMPLE_APP_CLIENT.clientId, scope: expect.stringContaining('patient/*.read') });
    const library = await fetch(`${sampleAppUrl}/fhir-client.js`);
    expect(library.status).toBe(200);
    expect(await library.text()).toContain('oauth2');
  });

  it('launches standalone through the member pages and shows the Patient, Coverage and first claims', async () => {
    const began = performance.now();
    await app().goto(`${required(running().sampleAppUrl, 'the sample app URL')}/`);
    expect(await app().evaluate(() => typeof (globalThis as { FHIR?: { oauth2?: { authorize?: unknown } } }).FHIR?.oauth2?.authorize)).toBe('function');
    await app().getByRole('button', { name: 'Connect to my health plan' }).click();
    await app().getByRole('button', { name: 'I Understand' }).click();
    await app().getByLabel('User name').fill(MEMBER.username);
    await app().getByLabel('Password').fill(MEMBER.password);
    await app().getByRole('button', { name: 'Log in' }).click();
    await app().getByLabel('Self').check();
    await app().getByRole('button', { name: 'Next' }).click();
    await app().getByRole('button', { name: 'I Agree' }).click();
    await status().filter({ hasText: /Signed in|failed/ }).waitFor();
    expect(await status().innerText()).toBe('Signed in.');
    report(`sample SMART app: launch to first claims page in ${Math.round(performance.now() - began)} ms`);

    expect(new URL(app().url()).pathname).toBe(SAMPLE_APP_CLIENT.redirectPath);
    expect(await app().locator('#patient').getAttribute('data-id')).toBe(MEMBER.patientId);
    expect(await app().locator('#coverage tbody tr').count()).toBeGreaterThan(0);
    expect(await claimIds()).toHaveLength(10);
    expect(await app().locator('#claims').getAttribute('data-page')).toBe('1');
  });

  it(`pages through all ${MEMBER_CLAIMS} claims of the member by the bundles' next links`, async () => {
    const seen = [...(await claimIds())];
    let pageNumber = 1;
    const began = performance.now();
    while (await app().getByRole('button', { name: 'Next page' }).isEnabled()) {
      await app().getByRole('button', { name: 'Next page' }).click();
      pageNumber += 1;
      await app().locator(`#claims[data-page="${pageNumber}"]`).waitFor();
      seen.push(...(await claimIds()));
    }
    report(`sample SMART app: ${pageNumber} pages of claims in ${Math.round(performance.now() - began)} ms`);
    expect(await status().innerText()).toBe('Signed in.');
    expect(pageNumber).toBe(Math.ceil(MEMBER_CLAIMS / 10));
    expect(seen).toHaveLength(MEMBER_CLAIMS);
    expect(new Set(seen).size).toBe(MEMBER_CLAIMS);
  });

  it('refreshes the access token and reads with the new one', async () => {
    const before = await app().locator('#session').getAttribute('data-token');
    await app().getByRole('button', { name: 'Refresh token' }).click();
    await app().getByText('Token refreshed.').waitFor();
    const after = await app().locator('#session').getAttribute('data-token');
    expect(after).toMatch(/^[0-9a-f]{12}$/);
    expect(after).not.toBe(before);
    await app().getByRole('button', { name: 'Reload patient' }).click();
    await app().getByText(/^Patient read at /).waitFor();
    expect(await app().locator('#patient').getAttribute('data-id')).toBe(MEMBER.patientId);
  });

  it('revokes its access at the authorization server (RFC 7009): the next FHIR call answers 401', async () => {
    await app().getByRole('button', { name: 'Revoke access' }).click();
    await app().getByText(/^Access revoked at the authorization server \(HTTP 200\)/).waitFor();
    const revokedAt = performance.now();
    // The FHIR service learns of the revocation over the bus: the member may read once more until it has.
    const reads: string[] = [];
    await eventually(
      async () => {
        const before = await status().innerText();
        await app().getByRole('button', { name: 'Reload patient' }).click();
        // Runs in the page; the test is compiled without the DOM library.
        type PageGlobal = { document: { getElementById(id: string): { textContent: string | null } | null } };
        await app().waitForFunction((previous) => (globalThis as unknown as PageGlobal).document.getElementById('status')?.textContent !== previous, before);
        reads.push(await status().innerText());
        return /failed/.test(reads.at(-1) ?? '');
      },
      { what: 'the FHIR API to refuse the revoked token', timeoutMs: 15_000, intervalMs: 20 },
    );
    report(`sample SMART app: revocation to 401 in ${Math.round(performance.now() - revokedAt)} ms (${reads.length} reads)`);
    expect(reads.at(-1)).toMatch(/^Reading the patient failed: HTTP 401/);
  });

  it('called nothing but its own origin and the platform', () => {
    const allowed = [running().sampleAppUrl, running().urls.authorization, running().urls.fhir].map((url) => new URL(required(url, 'a URL')).origin);
    expect([...origins].filter((origin) => !allowed.includes(origin))).toEqual([]);
  });
});
