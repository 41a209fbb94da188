import { createHash, randomBytes } from 'node:crypto';
import type { DataAccessType } from '@payer-access/client-status';
import { chromium, type Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { describeScopes } from '../src/interaction/scope-descriptions';
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

  /**
   * Runs the member journey over HTTP and exchanges the code; returns the token response, the
   * consent page and how many times the member was shown it.
   */
  async function authorize(clientId: string): Promise<{ body: Record<string, unknown>; consentPage: string; consentPages: number }> {
    const { verifier, challenge } = pkce();
    let consentPage = '';
    let consentPages = 0;
    const { redirect } = await runJourney(service.url, authorizeFor(clientId, challenge), {
      onPage: (step, body) => {
        if (step !== 'consent') return;
        consentPage = body;
        consentPages++;
      },
    });
    const code = redirect?.searchParams.get('code');
    if (!code) throw new Error(`no code in ${redirect?.toString()}`);
    const response = await exchange(clientId, code, verifier);
    expect(response.status).toBe(200);
    return { body: response.body, consentPage, consentPages };
  }

  function scopesOf(value: unknown): string[] {
    return String(value ?? '').split(' ').filter(Boolean);
  }

  /** The provider's own record of the grant (its Grant model, as stored by the adapter). */
  async function providerGrantScopes(grantId: string): Promise<string[]> {
    const rows = (await service.app.get(DataSource).query(`SELECT payload FROM oidc_payload WHERE kind = 'Grant' AND id = $1`, [grantId])) as {
      payload: { openid?: { scope?: string } };
    }[];
    expect(rows).toHaveLength(1);
    return scopesOf(rows[0].payload.openid?.scope);
  }

  function refresh(clientId: string, refreshToken: string) {
    return tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
  }

  async function storedGrant(grantId: string): Promise<{ data_access_type: string; access_expires_at: Date | null; created_at: Date; scope: string }> {
    const rows = (await service.app.get(DataSource).query(`SELECT data_access_type, access_expires_at, created_at, scope FROM member_grant WHERE grant_id = $1`, [grantId])) as {
      data_access_type: string;
      access_expires_at: Date | null;
      created_at: Date;
      scope: string;
    }[];
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it('one-time: no refresh token even with offline_access; access ends with the access token', async () => {
    const { body, consentPage, consentPages } = await authorize(APPS.one_time);

    expect(consentPage).toContain('This app will have access one time only.');
    expect(consentPage).not.toContain('Keep access even when you are not using the app');
    // offline_access was asked for and not granted: the member is not asked again for it.
    expect(consentPages).toBe(1);
    expect(body.refresh_token).toBeUndefined();
    const claims = decodePayload(String(body.access_token));
    const end = new Date(Number(claims.exp) * 1000).toISOString();
    expect(body.access_grant_expiration).toBe(end);
    const stored = await storedGrant(String(claims.grant_id));
    expect(stored.data_access_type).toBe('one_time');
    expect(stored.access_expires_at?.toISOString()).toBe(end);
  });

  it('one-time: offline_access is in no scope — token response, access token, id token, stored consent, provider grant', async () => {
    const { body } = await authorize(APPS.one_time);
    const claims = decodePayload(String(body.access_token));
    const grantId = String(claims.grant_id);

    expect(scopesOf(body.scope).sort()).toEqual(['openid', 'patient/*.read']);
    expect(scopesOf(claims.scope).sort()).toEqual(['openid', 'patient/*.read']);
    expect(decodePayload(String(body.id_token))).not.toHaveProperty('scope');
    expect(scopesOf((await storedGrant(grantId)).scope).sort()).toEqual(['openid', 'patient/*.read']);
    expect((await providerGrantScopes(grantId)).sort()).toEqual(['openid']);
  });

  it('one-time: a refresh token issued while the app was 13-month no longer refreshes once it is one-time', async () => {
    const clientId = 'turns-one-time-app';
    await service.publishClient(clientId, {
      status: 'approved',
      client: { name: 'Turns one-time app', clientType: 'public', redirectUris: [REDIRECT_URI], secretHash: null, allowedScopes: [], dataAccessType: 'thirteen_month' },
    });
    const { body } = await authorize(clientId);
    expect(scopesOf(body.scope)).toContain('offline_access');
    expect(typeof body.refresh_token).toBe('string');

    await service.publishClient(clientId, { client: { dataAccessType: 'one_time' } });
    const refused = await refresh(clientId, String(body.refresh_token));
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: 'unauthorized_client' });

    // Its new authorizations are one-time ones.
    const again = await authorize(clientId);
    expect(again.body.refresh_token).toBeUndefined();
    expect(scopesOf(again.body.scope)).not.toContain('offline_access');
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
    expect(scopesOf(body.scope).sort()).toEqual(['offline_access', 'openid', 'patient/*.read']);
    expect(await providerGrantScopes(grantId)).toContain('offline_access');

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
    expect(consentPage).toContain('Keep access even when you are not using the app');
    expect(scopesOf(body.scope)).toContain('offline_access');
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
     * consent page says about the end of access and lists as shared, how many consent pages the
     * member saw, and the token response of the code exchange.
     */
    async function authorizeInChromium(clientId: string): Promise<{ consentEnd: string; consentScopes: string[]; consentPages: number; body: Record<string, unknown> }> {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(5000);
        // Every page of our host the browser is shown, to count the consent pages among them.
        const pages: Promise<string>[] = [];
        page.on('response', (response) => {
          if (response.url().startsWith(service.url) && response.status() === 200 && response.request().resourceType() === 'document') pages.push(response.text());
        });
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
        const consentScopes = await page.locator('ul.scopes li').allInnerTexts();
        await page.getByRole('button', { name: 'I Agree' }).click();
        const code = (await redirected).searchParams.get('code') ?? '';
        await page.waitForURL((url) => url.href.startsWith(REDIRECT_URI));
        const token = await exchange(clientId, code, verifier);
        expect(token.status).toBe(200);
        const consentPages = (await Promise.all(pages)).filter((html) => /<form method="post" action="[^"]*\/consent"/.test(html)).length;
        return { consentEnd, consentScopes, consentPages, body: token.body };
      } finally {
        await context.close();
      }
    }

    /** What the connected-apps page lists as shared with each of the member's grants of an app. */
    async function connectedAppScopes(clientName: string): Promise<string[][]> {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(5000);
        await page.goto(`${service.url}/account/apps`);
        await page.getByLabel('User name').fill('BCNCUser03');
        await page.getByLabel('Password').fill('BCNCPSWD03');
        await page.getByRole('button', { name: 'Log in' }).click();
        const rows = page.getByRole('row').filter({ hasText: clientName });
        const lists: string[][] = [];
        for (const row of await rows.all()) lists.push(await row.locator('ul.scopes li').allInnerTexts());
        return lists;
      } finally {
        await context.close();
      }
    }

    it('one-time: the consent page says so and the token response has no refresh token, although offline_access was asked', async () => {
      const { consentEnd, consentScopes, consentPages, body } = await authorizeInChromium(APPS.one_time);
      expect(consentEnd).toBe('This app will have access one time only.');
      expect(body.refresh_token).toBeUndefined();
      expect(body.access_grant_expiration).toBe(new Date(Number(decodePayload(String(body.access_token)).exp) * 1000).toISOString());

      // The token response grants what the consent page showed, and offline access is neither.
      expect(consentPages).toBe(1);
      expect(scopesOf(body.scope)).not.toContain('offline_access');
      expect(scopesOf(decodePayload(String(body.access_token)).scope)).not.toContain('offline_access');
      expect(consentScopes).toEqual(describeScopes(String(body.scope)));
      expect(consentScopes).toEqual(['Confirm your identity to the app', 'All of your health plan records: claims, coverage, demographics and clinical data (read only)']);
      // The connected-apps page lists the same for every one-time grant of this member.
      const listed = await connectedAppScopes('one_time app');
      expect(listed.length).toBeGreaterThan(0);
      for (const each of listed) expect(each).toEqual(consentScopes);
    });

    it('13-month: the consent page, the token response and the connected-apps page keep offline access', async () => {
      const { consentScopes, consentPages, body } = await authorizeInChromium(APPS.thirteen_month);
      expect(consentPages).toBe(1);
      expect(typeof body.refresh_token).toBe('string');
      expect(scopesOf(body.scope)).toContain('offline_access');
      expect(consentScopes).toEqual(describeScopes(String(body.scope)));
      expect(consentScopes).toContain('Keep access even when you are not using the app');
      const listed = await connectedAppScopes('thirteen_month app');
      expect(listed.length).toBeGreaterThan(0);
      for (const each of listed) expect(each).toEqual(consentScopes);
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
      // The grant itself ends there too: the member's record and the provider's Grant, counted by the test's clock.
      const grantId = String(decodePayload(String(token.body.access_token)).grant_id);
      const [ends] = (await service.app.get(DataSource).query(
        `SELECT g.expires_at, (p.payload->>'exp')::bigint - (p.payload->>'iat')::bigint AS provider_ttl
           FROM member_grant g JOIN oidc_payload p ON p.kind = 'Grant' AND p.id = g.grant_id WHERE g.grant_id = $1`,
        [grantId],
      )) as { expires_at: Date; provider_ttl: string }[];
      expect(ends.expires_at.toISOString()).toBe(expectedEnd);
      expect(Number(ends.provider_ttl)).toBe((Date.parse(expectedEnd) - authorizedAt.getTime()) / 1000);

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
