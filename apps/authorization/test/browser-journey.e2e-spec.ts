import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SEED_CLIENT, authorizeUrl, decodePayload, seedTokenRequest, startTestService, type TestService } from './support/test-service';

/** Set to write the four pages' screenshots into apps/authorization/docs (checked in, linked from the README). */
const SCREENSHOTS = process.env.AUTHORIZATION_SCREENSHOTS === '1';
const DOCS = join(__dirname, '..', 'docs');

interface Representative {
  option: string;
  relationship: string;
  relationshipText?: string;
  name: string;
}

const REPRESENTATIVES: Representative[] = [
  { option: 'Parent or guardian of a minor', relationship: 'Parent or guardian of a minor', name: 'Pat Parent' },
  { option: 'Active healthcare power of attorney', relationship: 'Active healthcare power of attorney', name: 'Alex Attorney' },
  { option: 'Court ordered guardianship', relationship: 'Court ordered guardianship', name: 'Gale Guardian' },
  { option: 'Other', relationship: 'Grandparent', relationshipText: 'Grandparent', name: 'Gran Smith' },
];

const byChoice = (a: { demographics: boolean; sensitive: boolean }, b: { demographics: boolean; sensitive: boolean }) =>
  Number(a.demographics) * 2 + Number(a.sensitive) - (Number(b.demographics) * 2 + Number(b.sensitive));

describe('the seed journey in headless Chromium', () => {
  let service: TestService;
  let browser: Browser;

  beforeAll(async () => {
    [service, browser] = await Promise.all([
      startTestService(),
      chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP oidcdebugger.com ~NOTFOUND'],
      }),
    ]);
    if (SCREENSHOTS) mkdirSync(DOCS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  /** A page whose navigation to the app's redirect URI is captured instead of leaving the machine. */
  async function newPage(): Promise<{ page: Page; redirected: Promise<URL> }> {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    // Playwright does not route redirected requests, so the redirect is observed as a request;
    // the browser resolves oidcdebugger.com nowhere (see launch arguments), so nothing leaves the machine.
    const redirected = new Promise<URL>((resolve) => {
      page.on('request', (request) => {
        if (request.url().startsWith(SEED_CLIENT.redirectUri)) resolve(new URL(request.url()));
      });
    });
    return { page, redirected };
  }

  /** Every form control is named by a label (WCAG 1.3.1, 4.1.2). */
  async function expectLabelledControls(page: Page): Promise<void> {
    const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea', (controls) =>
      controls.filter((control) => ((control as unknown as { labels: unknown[] | null }).labels?.length ?? 0) === 0).map((control) => control.outerHTML),
    );
    expect(unlabelled).toEqual([]);
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    if (SCREENSHOTS) await page.screenshot({ path: join(DOCS, name), fullPage: true });
  }

  async function journey(
    page: Page,
    representative: Representative | undefined,
    username: string,
    password: string,
    withhold: { demographics?: boolean; sensitive?: boolean } = {},
  ): Promise<void> {
    await page.goto(authorizeUrl(service.url));
    await expectLabelledControls(page);
    await screenshot(page, '1-disclaimer.png');
    await page.getByRole('button', { name: 'I Understand' }).click();

    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(password);
    await expectLabelledControls(page);
    await screenshot(page, '2-login.png');
    await page.getByRole('button', { name: 'Log in' }).click();

    await expectLabelledControls(page);
    if (representative) {
      await page.getByLabel('Personal Representative').check();
      await page.getByLabel(representative.option, { exact: true }).check();
      if (representative.relationshipText) await page.getByLabel('Relationship to the member').fill(representative.relationshipText);
      await page.getByLabel('Your full name').fill(representative.name);
      if (representative.relationshipText) await screenshot(page, '3-self-or-representative.png');
    } else {
      await page.getByLabel('Self').check();
    }
    await page.getByRole('button', { name: 'Next' }).click();

    await expect(page.getByRole('heading', { name: 'Authorization / Consent' }).isVisible()).resolves.toBe(true);
    const consent = await page.locator('main').innerText();
    expect(consent).toContain('OIDC Debugger');
    expect(consent).toContain('Sandbox Developer Inc.');
    expect(consent).toContain('All of your health plan records');
    expect(await page.getByRole('link', { name: /privacy policy/ }).getAttribute('href')).toBe('https://example.com/privacy');
    await expectLabelledControls(page);
    if (!representative) await screenshot(page, '4-consent.png');
    // Both choices default to sharing: the member opts out, never in.
    const demographics = page.getByLabel(/Withhold my demographic data/);
    const sensitive = page.getByLabel(/Withhold my sensitive data/);
    expect(await demographics.isChecked()).toBe(false);
    expect(await sensitive.isChecked()).toBe(false);
    if (withhold.demographics) await demographics.check();
    if (withhold.sensitive) await sensitive.check();
    await page.getByRole('button', { name: 'I Agree' }).click();
  }

  it('Self: disclaimer, login, Self, consent, I Agree; the code works with the seed curl', async () => {
    const { page, redirected } = await newPage();
    await journey(page, undefined, 'BCNCUser03', 'BCNCPSWD03');
    const redirect = await redirected;
    expect(redirect.searchParams.get('state')).toBe('test');
    const response = await seedTokenRequest(service.url, redirect.searchParams.get('code') ?? '');
    const body = (await response.json()) as Record<string, string>;
    expect(body.patient).toBe('-20140000000024');
    expect(decodePayload(body.access_token).representative).toBeUndefined();
    await page.context().close();
  });

  it.each(REPRESENTATIVES)('Personal Representative: $option', async (representative) => {
    const { page, redirected } = await newPage();
    await journey(page, representative, 'BCNCUser04', 'BCNCPSWD04');
    const redirect = await redirected;
    const response = await seedTokenRequest(service.url, redirect.searchParams.get('code') ?? '');
    const body = (await response.json()) as Record<string, string>;
    expect(body.patient).toBe('-20140000008325');
    expect(decodePayload(body.access_token)).toMatchObject({
      representative: { relationship: representative.relationship, name: representative.name },
      fhirUser: expect.stringMatching(/^RelatedPerson\//),
    });
    await page.context().close();
  });

  it('tells a representative what is missing instead of going on', async () => {
    const { page } = await newPage();
    await page.goto(authorizeUrl(service.url));
    await page.getByRole('button', { name: 'I Understand' }).click();
    await page.getByLabel('User name').fill('BCNCUser05');
    await page.getByLabel('Password').fill('BCNCPSWD05');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Personal Representative').check();
    await page.getByLabel('Other', { exact: true }).check();
    await page.getByLabel('Your full name').fill('No Relationship');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByRole('alert').innerText()).toBe('Describe your relationship to the member.');
    await page.context().close();
  });

  it('can be completed with the keyboard alone', async () => {
    const { page, redirected } = await newPage();
    await page.goto(authorizeUrl(service.url));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // I Understand
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await page.getByLabel('User name').waitFor();
    await page.keyboard.type('BCNCUser06'); // the user name field has focus
    await page.keyboard.press('Tab');
    await page.keyboard.type('BCNCPSWD06');
    await page.keyboard.press('Enter');
    await page.getByLabel('Self').waitFor();
    await page.getByLabel('Self').focus();
    await page.keyboard.press('Enter'); // submits the form with Self checked by default
    await page.getByRole('button', { name: 'I Agree' }).focus();
    await page.keyboard.press('Enter');
    const redirect = await redirected;
    expect(redirect.searchParams.get('code')).toEqual(expect.any(String));
    await page.context().close();
  });

  it('returns access_denied to the app when the member selects Deny', async () => {
    const { page, redirected } = await newPage();
    await page.goto(authorizeUrl(service.url));
    await page.getByRole('button', { name: 'I Understand' }).click();
    await page.getByLabel('User name').fill('BCNCUser03');
    await page.getByLabel('Password').fill('BCNCPSWD03');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    const redirect = await redirected;
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(SEED_CLIENT.redirectUri).toBe(`${redirect.origin}${redirect.pathname}`);
    await page.context().close();
  });

  it('carries the sensitive-data and demographics choices from the consent page to the token and the connected-apps page', async () => {
    const choices = [
      { demographics: true, sensitive: true },
      { demographics: false, sensitive: true },
      { demographics: true, sensitive: false },
      { demographics: false, sensitive: false },
    ];
    for (const choice of choices) {
      const { page, redirected } = await newPage();
      await journey(page, undefined, 'BCNCUser05', 'BCNCPSWD05', choice);
      const redirect = await redirected;
      const response = await seedTokenRequest(service.url, redirect.searchParams.get('code') ?? '');
      const claims = decodePayload(((await response.json()) as Record<string, string>).access_token);
      expect({ demographics: claims.withhold_demographics === true, sensitive: claims.withhold_sensitive === true }).toEqual(choice);
      // Absent rather than false when shared: a token says only what is withheld.
      if (!choice.sensitive) expect(claims).not.toHaveProperty('withhold_sensitive');
      await page.context().close();
    }

    const { page } = await newPage();
    await page.goto(`${service.url}/account/apps`);
    await page.getByLabel('User name').fill('BCNCUser05');
    await page.getByLabel('Password').fill('BCNCPSWD05');
    await page.getByRole('button', { name: 'Log in' }).click();
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(choices.length);
    const shown = await rows.evaluateAll((elements) =>
      elements.map((row) => ({
        demographics: row.querySelector('[data-choice=demographics]')?.textContent === 'Demographic data withheld',
        sensitive: row.querySelector('[data-choice=sensitive]')?.textContent === 'Sensitive data withheld',
      })),
    );
    expect([...shown].sort(byChoice)).toEqual([...choices].sort(byChoice));
    await page.context().close();
  });

  it('lists connected apps and revokes one', async () => {
    const { page } = await newPage();
    await page.goto(`${service.url}/account/apps`);
    await page.getByLabel('User name').fill('BCNCUser04');
    await page.getByLabel('Password').fill('BCNCPSWD04');
    await page.getByRole('button', { name: 'Log in' }).click();
    const revokeButtons = page.getByRole('button', { name: 'Revoke access for OIDC Debugger' });
    const before = await revokeButtons.count();
    expect(before).toBe(REPRESENTATIVES.length);
    await expectLabelledControls(page);
    await screenshot(page, '5-connected-apps.png');
    await revokeButtons.first().click();
    expect(await page.getByRole('status').innerText()).toBe('Access revoked.');
    expect(await revokeButtons.count()).toBe(before - 1);
    await page.context().close();
  });
});
