import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with nothing that calls out to Google's services. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // No host name resolves: the services are reached by IP, and the apps' redirect URIs
      // (https://oidcdebugger.com/debug, ...) can never leave the machine even if interception failed.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

export interface MemberChoice {
  username: string;
  password: string;
  /** What the member ticks on the consent page; by default everything is shared. */
  withhold?: { demographics?: boolean; sensitive?: boolean };
  /**
   * Someone acting for the member ("Personal Representative"): the relationship as the page labels
   * it (e.g. "Court ordered guardianship", or "Other" with `relationshipText`) and the full name.
   * By default the member acts as "Self".
   */
  representative?: { option: string; name: string; relationshipText?: string };
}

export interface AuthorizationRedirect {
  url: URL;
  code: string | null;
  state: string | null;
}

/**
 * A member authorizes an app in the browser the way seed 002 describes: the disclaimer ("I
 * Understand"), the login, "Self" (or a Personal Representative), the consent page ("I Agree"). Resolves with the redirect to the
 * app's redirect URI, which is captured and answered locally, never followed over the network.
 */
export async function authorizeInBrowser(browser: Browser, authorizeUrl: string, redirectUri: string, member: MemberChoice): Promise<AuthorizationRedirect> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const redirected = captureRedirect(context, page, redirectUri);
    await page.goto(authorizeUrl);
    await page.getByRole('button', { name: 'I Understand' }).click();
    await page.getByLabel('User name').fill(member.username);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    if (member.representative) {
      await page.getByLabel('Personal Representative').check();
      await page.getByLabel(member.representative.option, { exact: true }).check();
      if (member.representative.relationshipText) await page.getByLabel('Relationship to the member').fill(member.representative.relationshipText);
      await page.getByLabel('Your full name').fill(member.representative.name);
    } else {
      await page.getByLabel('Self').check();
    }
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Authorization / Consent' }).waitFor();
    if (member.withhold?.demographics) await page.getByLabel(/Withhold my demographic data/).check();
    if (member.withhold?.sensitive) await page.getByLabel(/Withhold my sensitive data/).check();
    await page.getByRole('button', { name: 'I Agree' }).click();
    const url = await withTimeout(redirected, 15_000, `the redirect to ${redirectUri} (page: ${page.url()})`);
    return { url, code: url.searchParams.get('code'), state: url.searchParams.get('state') };
  } finally {
    await context.close();
  }
}

/** What the browser shows for an authorization request that must not proceed. */
export async function authorizationPageText(browser: Browser, authorizeUrl: string): Promise<{ status: number | undefined; text: string }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const response = await page.goto(authorizeUrl);
    return { status: response?.status(), text: await page.locator('body').innerText() };
  } finally {
    await context.close();
  }
}

/**
 * The redirect to the app. `route` answers it when Chromium hands it to the route handler; a
 * navigation reached through a server redirect is not always routed (Playwright routes only a
 * redirect chain's first request), so the request itself is observed as well — whichever comes
 * first gives the URL, and the host resolver rules above keep it off the network either way.
 */
function captureRedirect(context: BrowserContext, page: Page, redirectUri: string): Promise<URL> {
  const origin = new URL(redirectUri).origin;
  return new Promise<URL>((resolve) => {
    void context.route(`${origin}/**`, async (route) => {
      resolve(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title><p>redirect captured</p>' });
    });
    page.on('request', (request) => {
      if (request.url().startsWith(redirectUri)) resolve(new URL(request.url()));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms).unref()),
  ]);
}
