import { SANDBOX_MEMBERS, type SandboxMember } from '@payer-access/fhir-models';
import { createTestDatabase, type TestDatabase, SmtpCatcher } from '@payer-access/testing';
import type { Browser } from 'playwright-core';
// The platform suite's helpers drive the same public routes and member pages.
import { authorizeInBrowser, launchBrowser } from '../../platform-e2e/test/support/browser';
import { report } from '../../platform-e2e/test/support/diagnostics';
import { authorizationStarts, authorizeUrl, decodeJwtPayload, getJson, seedAuthorizeUrl, seedTokenRequest, SEED_CLIENT, sendJson, tokenRequest } from '../../platform-e2e/test/support/http';
import { freePorts } from '../../platform-e2e/test/support/platform';
import { eventually, required } from '../../platform-e2e/test/support/poll';
import { expectStatus, RegistrationApi, type RegisteredApp } from '../../platform-e2e/test/support/registration';
import { startSandbox, type RunningSandbox } from '../src/sandbox';
import { allReady, FHIR_BASE_PATH, sandboxEnv } from './support/sandbox';

// Two starts of the whole platform (the first loads the sandbox data set) and a browser.
jest.setTimeout(300_000);

function member(username: string): SandboxMember {
  return required(
    SANDBOX_MEMBERS.find((candidate) => candidate.username === username),
    `the sandbox member ${username}`,
  );
}

interface Authorized {
  app: RegisteredApp;
  member: SandboxMember;
  accessToken: string;
  refreshToken: string;
}

/**
 * `npm start`, seed 002 and more, Ctrl-C, `npm start` again on the same database: the one-process
 * platform (three services sharing the PostgreSQL event log) must come back with every account,
 * registration, client status and revocation as it left them, and honour the same tokens.
 */
describe('one-process platform restarted on the same database', () => {
  let database: TestDatabase | undefined;
  let env: NodeJS.ProcessEnv;
  let sandbox: RunningSandbox | undefined;
  let chromium: Browser | undefined;
  const running = (): RunningSandbox => required(sandbox, 'the sandbox');
  const browser = (): Browser => required(chromium, 'the browser');
  const mail = new SmtpCatcher();
  /** One client per run of the sandbox: its staff token (password and TOTP) ends with the process's token key. */
  let api: RegistrationApi | undefined;

  let live: Authorized;
  let revoked: Authorized;
  let suspended: Authorized;
  let terminated: Authorized;
  let seedToken: string;
  /** A Personal Representative's token and the RelatedPerson its fhirUser names. */
  let representative: { accessToken: string; fhirUser: string };
  const developer = { email: `restart-${Date.now().toString(36)}@sandbox-restart.example`, password: 'correct horse battery staple' };

  beforeAll(async () => {
    const [created, [registrationPort, authorizationPort, fhirPort], launched] = await Promise.all([
      createTestDatabase('pa_sandbox_restart'),
      freePorts(3),
      launchBrowser(),
      mail.start(),
    ]);
    database = created;
    chromium = launched;
    env = {
      ...sandboxEnv(created.url, { registration: registrationPort, authorization: authorizationPort, fhir: fhirPort }),
      SMTP_URL: mail.url,
    };
    sandbox = await startSandbox({ env, logLevels: ['error'] });
    await allReady(sandbox);
  });

  afterAll(async () => {
    await chromium?.close();
    await sandbox?.stop();
    await mail.stop();
    await database?.drop();
  });

  const registration = () => (api ??= new RegistrationApi(running().urls.registration, mail));
  const readPatient = (who: { member: SandboxMember; accessToken: string }) =>
    getJson(`${running().urls.fhir}${FHIR_BASE_PATH}/Patient/${who.member.patientId}`, who.accessToken);

  async function authorize(app: RegisteredApp, who: SandboxMember): Promise<Authorized> {
    await eventually(() => authorizationStarts(authorizeUrl(running().urls.authorization, app.clientId, app.redirectUri, 'probe')), {
      what: `the authorization service to learn that ${app.clientId} is approved`,
      timeoutMs: 15_000,
    });
    const redirect = await authorizeInBrowser(browser(), authorizeUrl(running().urls.authorization, app.clientId, app.redirectUri, 'restart'), app.redirectUri, who);
    const exchanged = await tokenRequest(running().urls.authorization, app, { grant_type: 'authorization_code', code: redirect.code ?? '', redirect_uri: app.redirectUri });
    expectStatus(exchanged, 200, 'authorization code exchange');
    const authorized = { app, member: who, accessToken: exchanged.body.access_token as string, refreshToken: exchanged.body.refresh_token as string };
    await eventually(async () => (await readPatient(authorized)).status === 200, { what: `the FHIR API to serve ${app.name}`, timeoutMs: 15_000 });
    return authorized;
  }

  async function expectRefused(who: Authorized, what: string): Promise<void> {
    await eventually(async () => (await readPatient(who)).status === 401, { what: `the FHIR API to refuse ${what}`, timeoutMs: 15_000, intervalMs: 20 });
  }

  /** The member revokes the app on the authorization service's connected-apps page. */
  async function revokeInBrowser(who: Authorized): Promise<void> {
    const context = await browser().newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${running().urls.authorization}/account/apps`);
      await page.getByLabel('User name').fill(who.member.username);
      await page.getByLabel('Password').fill(who.member.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('button', { name: `Revoke access for ${who.app.name}` }).click();
      expect(await page.getByRole('status').innerText()).toBe('Access revoked.');
    } finally {
      await context.close();
    }
  }

  async function registrationStatus(app: RegisteredApp): Promise<unknown> {
    const token = await registration().staffToken();
    const response = await getJson<{ status: string }>(`${running().urls.registration}/v1/admin/registrations/${app.registrationId}`, token);
    expectStatus(response, 200, 'GET the registration as an admin');
    return response.body.status;
  }

  it('before the restart: sign-ups, approvals, a live token, a revocation, a suspension and a termination', async () => {
    const signUp = await sendJson('POST', `${running().urls.registration}/v1/accounts`, {
      ...developer,
      name: 'Riley Restart',
      organization: 'Restart Apps, Inc.',
      phone: '+1 919-555-0101',
      kind: 'developer',
    });
    expectStatus(signUp, 201, 'developer sign-up');
    await registration().confirmAddress(developer.email);

    const api = registration();
    live = await authorize(await api.registerApprovedApp('live'), member('BCNCUser06'));
    revoked = await authorize(await api.registerApprovedApp('revoked'), member('BCNCUser05'));
    suspended = await authorize(await api.registerApprovedApp('suspended'), member('BCNCUser04'));
    terminated = await authorize(await api.registerApprovedApp('terminated'), member('BCNCUser06'));

    const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(running().urls.authorization), SEED_CLIENT.redirectUri, member('BCNCUser03'));
    const seed = await seedTokenRequest(running().urls.authorization, redirect.code ?? '');
    expectStatus(seed, 200, 'seed 002 code exchange');
    seedToken = seed.body.access_token as string;

    await revokeInBrowser(revoked);
    await expectRefused(revoked, 'the revoked grant');
    const suspending = performance.now();
    expectStatus(await api.admin(suspended.app.registrationId, 'suspend', 'Leaked client secret reported.'), 200, 'admin suspend');
    await expectRefused(suspended, 'the suspended app');
    report(`one process, PostgreSQL event log: suspension → FHIR 401 within ${Math.round(performance.now() - suspending)} ms (admin request sent → first 401)`);
    expectStatus(await api.admin(terminated.app.registrationId, 'terminate', 'Terms of use violated.'), 200, 'admin terminate');
    await expectRefused(terminated, 'the terminated app');

    expect((await readPatient(live)).status).toBe(200);
    expect((await readPatient({ member: member('BCNCUser03'), accessToken: seedToken })).status).toBe(200);
  });

  it("before the restart: a Personal Representative's fhirUser reads back as the RelatedPerson given at consent (PostgreSQL event log)", async () => {
    const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(running().urls.authorization), SEED_CLIENT.redirectUri, {
      ...member('BCNCUser04'),
      representative: { option: 'Other', relationshipText: 'Adult son and caregiver', name: 'Tomás Ruiz-Doe' },
    });
    const exchanged = await seedTokenRequest(running().urls.authorization, redirect.code ?? '');
    expectStatus(exchanged, 200, 'representative code exchange');
    const accessToken = exchanged.body.access_token as string;
    const fhirUser = String(decodeJwtPayload(accessToken).fhirUser);
    expect(fhirUser).toMatch(/^RelatedPerson\/[0-9a-f-]{36}$/);
    representative = { accessToken, fhirUser };
    const read = await eventually(
      async () => {
        const response = await getJson(`${running().urls.fhir}${FHIR_BASE_PATH}/${fhirUser}`, accessToken);
        return response.status === 200 ? response : undefined;
      },
      { what: 'the RelatedPerson on the FHIR API', timeoutMs: 15_000 },
    );
    expect(read.body).toMatchObject({
      resourceType: 'RelatedPerson',
      patient: { reference: `Patient/${member('BCNCUser04').patientId}` },
      name: [{ text: 'Tomás Ruiz-Doe' }],
      relationship: [{ text: 'Adult son and caregiver' }],
      meta: { versionId: '1' },
    });
    // Another member's token: no such resource.
    expect((await getJson(`${running().urls.fhir}${FHIR_BASE_PATH}/${fhirUser}`, seedToken)).status).toBe(404);
  });

  it('restarts on the same database and reports ready', async () => {
    await running().stop();
    sandbox = undefined;
    api = undefined;
    const began = performance.now();
    sandbox = await startSandbox({ env, logLevels: ['error'] });
    const listening = Math.round(performance.now() - began);
    await allReady(sandbox);
    report(`sandbox restart on the same database: services listening after ${listening} ms, all three ready after ${Math.round(performance.now() - began)} ms`);
  });

  it("after the restart: the representative's RelatedPerson is still there, created once", async () => {
    const read = await getJson(`${running().urls.fhir}${FHIR_BASE_PATH}/${representative.fhirUser}`, representative.accessToken);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: [{ text: 'Tomás Ruiz-Doe' }], meta: { versionId: '1' } });
  });

  it('after the restart: the live token reads, the revoked one stays revoked', async () => {
    expect((await readPatient(live)).status).toBe(200);
    expect((await readPatient({ member: member('BCNCUser03'), accessToken: seedToken })).status).toBe(200);
    expect((await readPatient(revoked)).status).toBe(401);
    const refreshed = await tokenRequest(running().urls.authorization, revoked.app, { grant_type: 'refresh_token', refresh_token: revoked.refreshToken });
    expect(refreshed.body?.access_token).toBeUndefined();
  });

  it('after the restart: the suspended and terminated apps stay refused, and terminated stays final', async () => {
    expect((await readPatient(suspended)).status).toBe(401);
    expect((await readPatient(terminated)).status).toBe(401);
    for (const who of [suspended, terminated]) {
      expect(await authorizationStarts(authorizeUrl(running().urls.authorization, who.app.clientId, who.app.redirectUri, 'after-restart'))).toBe(false);
      const refreshed = await tokenRequest(running().urls.authorization, who.app, { grant_type: 'refresh_token', refresh_token: who.refreshToken });
      expect(refreshed.body?.access_token).toBeUndefined();
    }
    expect((await registration().admin(terminated.app.registrationId, 'reinstate', 'Reconsidered.')).status).toBe(409);
  });

  it('after the restart: accounts and registrations are intact, and an approved app authorizes anew', async () => {
    expect(await registration().login(developer.email, developer.password)).toEqual(expect.any(String));
    expect(await registrationStatus(live.app)).toBe('approved');
    expect(await registrationStatus(suspended.app)).toBe('suspended');
    expect(await registrationStatus(terminated.app)).toBe('terminated');
    const again = await authorize(live.app, member('BCNCUser06'));
    expect((await readPatient(again)).status).toBe(200);
  });
});
