import { createHash, randomBytes } from 'node:crypto';
import type { DataAccessType } from '@payer-access/client-status';
import { chromium, type Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { runJourney } from './support/member-journey';
import { authorizeUrl, decodePayload, startTestService, tokenRequest, type TestService } from './support/test-service';

const REDIRECT_URI = 'https://lifetimes.example/callback';
const APPS: Record<DataAccessType, string> = { one_time: 'one-time-app', thirteen_month: 'thirteen-month-app', research: 'research-app' };
const DAY_MS = 24 * 3600 * 1000;

describe('grant lifetimes by data-access type (Blue Button 2.0)', () => {
  let service: TestService;
  let clock: Clock;

  beforeAll(async () => {
    service = await startTestService();
    clock = service.app.get(Clock);
    for (const [dataAccessType, clientId] of Object.entries(APPS) as [DataAccessType, string][]) {
      await service.publishClient(clientId, {
        status: 'approved',
        client: { name: `${dataAccessType} app`, clientType: 'public', redirectUris: [REDIRECT_URI], secretHash: null, allowedScopes: [], dataAccessType },
      });
    }
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await service?.close();
  });

  function pkce(): { verifier: string; challenge: string } {
    const verifier = randomBytes(48).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  }

  function authorizeFor(clientId: string, challenge: string): string {
    return authorizeUrl(service.url, {
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access patient/*.read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
  }

  async function exchange(clientId: string, code: string, verifier: string) {
    return tokenRequest(service.url, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: verifier });
  }

  /** Runs the member journey over HTTP and exchanges the code; returns the token response and the consent page. */
  async function authorize(clientId: string): Promise<{ body: Record<string, unknown>; consentPage: string }> {
    const { verifier, challenge } = pkce();
    let consentPage = '';
    const { redirect } = await runJourney(service.url, authorizeFor(clientId, challenge), {
      onPage: (step, body) => {
        if (step === 'consent') consentPage = body;
      },
    });
    const code = redirect?.searchParams.get('code');
    if (!code) throw new Error(`no code in ${redirect?.toString()}`);
    const response = await exchange(clientId, code, verifier);
    expect(response.status).toBe(200);
    return { body: response.body, consentPage };
  }

  function refresh(clientId: string, refreshToken: string) {
    return tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
  }

  async function storedGrant(grantId: string): Promise<{ data_access_type: string; access_expires_at: Date | null; created_at: Date }> {
    const rows = (await service.app.get(DataSource).query(`SELECT data_access_type, access_expires_at, created_at FROM member_grant WHERE grant_id = $1`, [grantId])) as {
      data_access_type: string;
      access_expires_at: Date | null;
      created_at: Date;
    }[];
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it('one-time: no refresh token even with offline_access; access ends with the access token', async () => {
    const { body, consentPage } = await authorize(APPS.one_time);

    expect(consentPage).toContain('This app will have access one time only.');
    expect(consentPage).not.toContain('Keep access even when you are not using the app');
    expect(body.refresh_token).toBeUndefined();
    const claims = decodePayload(String(body.access_token));
    const end = new Date(Number(claims.exp) * 1000).toISOString();
    expect(body.access_grant_expiration).toBe(end);
    const stored = await storedGrant(String(claims.grant_id));
    expect(stored.data_access_type).toBe('one_time');
    expect(stored.access_expires_at?.toISOString()).toBe(end);
  });

  it('13-month: refresh works until 13 months after the authorization, then fails with invalid_grant', async () => {
    const before = Date.now();
    const { body, consentPage } = await authorize(APPS.thirteen_month);
    const grantId = String(decodePayload(String(body.access_token)).grant_id);
    const stored = await storedGrant(grantId);
    const end = stored.access_expires_at;
    if (!end) throw new Error('a 13-month grant must have an end');

    // 13 calendar months: between 393 and 397 days, whatever the month of authorization.
    expect(end.getTime() - stored.created_at.getTime()).toBeGreaterThanOrEqual(393 * DAY_MS);
    expect(end.getTime() - stored.created_at.getTime()).toBeLessThanOrEqual(397 * DAY_MS);
    expect(end.getTime()).toBeGreaterThan(before);
    expect(body.access_grant_expiration).toBe(end.toISOString());
    expect(consentPage).toContain(`<time datetime="`);
    expect(consentPage).toMatch(/This app will have access until <time datetime="[^"]+">[A-Z][a-z]+ \d{1,2}, \d{4}<\/time>\./);
    expect(typeof body.refresh_token).toBe('string');
    expect(consentPage).toContain('Keep access even when you are not using the app');

    // A day before the end: refreshes, rotates, and still states the same end.
    jest.spyOn(clock, 'now').mockReturnValue(new Date(end.getTime() - DAY_MS));
    const first = await refresh(APPS.thirteen_month, String(body.refresh_token));
    expect(first.status).toBe(200);
    expect(first.body.access_grant_expiration).toBe(end.toISOString());
    const rotated = String(first.body.refresh_token);

    // One millisecond before the end: still fine.
    jest.spyOn(clock, 'now').mockReturnValue(new Date(end.getTime() - 1));
    const second = await refresh(APPS.thirteen_month, rotated);
    expect(second.status).toBe(200);

    // At the end: the member must authorize again.
    jest.spyOn(clock, 'now').mockReturnValue(new Date(end.getTime()));
    const refused = await refresh(APPS.thirteen_month, String(second.body.refresh_token));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect(String(refused.body.error_description)).toMatch(/authorization has expired/);

    // A refusal does not consume the token: asking again is refused the same way, not as a replay
    // (which would revoke the grant and announce it).
    const again = await refresh(APPS.thirteen_month, String(second.body.refresh_token));
    expect(again.body.error).toBe('invalid_grant');
    expect(String(again.body.error_description)).toMatch(/authorization has expired/);
    expect(service.revocations.filter((event) => event.grantId === grantId)).toEqual([]);
  });

  it('research: no expiry is stated and refresh works decades later', async () => {
    const { body, consentPage } = await authorize(APPS.research);

    expect(consentPage).toContain('This app will have access until you revoke it.');
    expect(body).not.toHaveProperty('access_grant_expiration');
    const stored = await storedGrant(String(decodePayload(String(body.access_token)).grant_id));
    expect(stored).toMatchObject({ data_access_type: 'research', access_expires_at: null });

    jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 20 * 366 * DAY_MS));
    const refreshed = await refresh(APPS.research, String(body.refresh_token));
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body.refresh_token).toBe('string');
    expect(refreshed.body).not.toHaveProperty('access_grant_expiration');
  });

  it('an app without a data-access type in its events gets 13 months', async () => {
    await service.publishClient('legacy-app', {
      status: 'approved',
      client: { name: 'Legacy app', clientType: 'public', redirectUris: [REDIRECT_URI], secretHash: null, allowedScopes: [] },
    });
    const { body } = await authorize('legacy-app');
    const stored = await storedGrant(String(decodePayload(String(body.access_token)).grant_id));
    expect(stored.data_access_type).toBe('thirteen_month');
    expect(typeof body.refresh_token).toBe('string');
  });

  describe('in headless Chromium', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP lifetimes.example ~NOTFOUND'],
      });
    });

    afterAll(async () => {
      await browser?.close();
    });

    /**
     * The member pages in Chromium for one app, as BCNCUser03 acting for themself: returns what the
     * consent page says about the end of access and the token response of the code exchange.
     */
    async function authorizeInChromium(clientId: string): Promise<{ consentEnd: string; body: Record<string, unknown> }> {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(5000);
        const redirected = new Promise<URL>((resolve) => {
          page.on('request', (request) => {
            if (request.url().startsWith(REDIRECT_URI)) resolve(new URL(request.url()));
          });
        });
        await page.route((url) => url.href.startsWith(REDIRECT_URI), (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'redirected' }));
        const { verifier, challenge } = pkce();
        await page.goto(authorizeFor(clientId, challenge));
        await page.getByRole('button', { name: 'I Understand' }).click();
        await page.getByLabel('User name').fill('BCNCUser03');
        await page.getByLabel('Password').fill('BCNCPSWD03');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.getByLabel('Self').check();
        await page.getByRole('button', { name: 'Next' }).click();
        const consentEnd = await page.locator('.access-end').innerText();
        await page.getByRole('button', { name: 'I Agree' }).click();
        const code = (await redirected).searchParams.get('code') ?? '';
        await page.waitForURL((url) => url.href.startsWith(REDIRECT_URI));
        const token = await exchange(clientId, code, verifier);
        expect(token.status).toBe(200);
        return { consentEnd, body: token.body };
      } finally {
        await context.close();
      }
    }

    it('one-time: the consent page says so and the token response has no refresh token, although offline_access was asked', async () => {
      const { consentEnd, body } = await authorizeInChromium(APPS.one_time);
      expect(consentEnd).toBe('This app will have access one time only.');
      expect(body.refresh_token).toBeUndefined();
      expect(body.access_grant_expiration).toBe(new Date(Number(decodePayload(String(body.access_token)).exp) * 1000).toISOString());
    });

    it("13-month: refresh works until the end the consent page stated, then fails with invalid_grant (the test's clock)", async () => {
      const authorizedAt = new Date('2027-03-15T09:30:00.000Z');
      jest.spyOn(clock, 'now').mockReturnValue(authorizedAt);
      const { consentEnd, body } = await authorizeInChromium(APPS.thirteen_month);
      const end = '2028-04-15T09:30:00.000Z';
      expect(consentEnd).toBe('This app will have access until April 15, 2028.');
      expect(body.access_grant_expiration).toBe(end);

      jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.parse(end) - 1));
      const before = await refresh(APPS.thirteen_month, String(body.refresh_token));
      expect(before.status).toBe(200);
      expect(before.body.access_grant_expiration).toBe(end);
      jest.spyOn(clock, 'now').mockReturnValue(new Date(end));
      const after = await refresh(APPS.thirteen_month, String(before.body.refresh_token));
      expect({ status: after.status, error: after.body.error }).toEqual({ status: 400, error: 'invalid_grant' });
    });

    it('the consent page, the token response and the connected-apps page state the same end', async () => {
      // A fixed instant at a month's end: 13 months later clamps to the last day of February.
      const authorizedAt = new Date('2027-01-31T12:00:00.000Z');
      jest.spyOn(clock, 'now').mockReturnValue(authorizedAt);
      const expectedEnd = '2028-02-29T12:00:00.000Z';

      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(5000);
      const redirected = new Promise<URL>((resolve) => {
        page.on('request', (request) => {
          if (request.url().startsWith(REDIRECT_URI)) resolve(new URL(request.url()));
        });
      });
      // The redirect URI's host is not reachable from here: answered locally, no error page can race the next navigation.
      await page.route((url) => url.href.startsWith(REDIRECT_URI), (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'redirected' }));
      const { verifier, challenge } = pkce();
      await page.goto(authorizeFor(APPS.thirteen_month, challenge));
      await page.getByRole('button', { name: 'I Understand' }).click();
      await page.getByLabel('User name').fill('BCNCUser03');
      await page.getByLabel('Password').fill('BCNCPSWD03');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByLabel('Self').check();
      await page.getByRole('button', { name: 'Next' }).click();

      const consentEnd = page.locator('.access-end');
      expect(await consentEnd.innerText()).toBe('This app will have access until February 29, 2028.');
      expect(await consentEnd.locator('time').getAttribute('datetime')).toBe(expectedEnd);
      await page.getByRole('button', { name: 'I Agree' }).click();

      const code = (await redirected).searchParams.get('code') ?? '';
      await page.waitForURL((url) => url.href.startsWith(REDIRECT_URI));
      const token = await exchange(APPS.thirteen_month, code, verifier);
      expect(token.status).toBe(200);
      expect(token.body.access_grant_expiration).toBe(expectedEnd);

      await page.goto(`${service.url}/account/apps`);
      await page.getByLabel('User name').fill('BCNCUser03');
      await page.getByLabel('Password').fill('BCNCPSWD03');
      await page.getByRole('button', { name: 'Log in' }).click();
      const row = page.getByRole('row').filter({ hasText: 'thirteen_month app' }).filter({ has: page.locator(`time[datetime="${expectedEnd}"]`) });
      expect(await row.count()).toBe(1);
      expect(await row.locator('.access-end').innerText()).toBe('Until February 29, 2028');
      // The other grants of this member state theirs in the same words.
      const research = page.getByRole('row').filter({ hasText: 'research app' });
      expect(await research.first().locator('.access-end').innerText()).toBe('Until you revoke it');
      await context.close();
    });
  });
});
