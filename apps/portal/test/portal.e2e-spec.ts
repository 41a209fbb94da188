import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { RegistrationConfig, createRegistrationApp } from '@payer-access/registration-service';
import { createTestDatabase, type TestDatabase, SmtpCatcher, freshTotpCode } from '@payer-access/testing';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PortalConfig } from '../src/portal.config';
import { startPortal, type RunningPortal } from '../src/server/portal-server';
import { currentCode } from '../../registration/src/auth/second-factor/totp';

jest.setTimeout(60_000);

const STAFF = { email: 'reviewer@plan.example', password: 'reviewer-password-1' };
const VENDOR = { email: 'dev@acme-health.example', password: 'correct horse battery staple' };
const SCREENSHOTS = path.join(__dirname, '../docs/screenshots');
/** Screenshots are rewritten only on request, so that a test run leaves the checkout as it was. */
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const VIEWPORT = { width: 1000, height: 700 };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The portal in a real headless Chromium, over the real registration service (in-process, real
 * PostgreSQL, real SMTP): a vendor registers an app and gets its secret; staff review, suspend and
 * reinstate it; the two sides write to each other in the registration's thread; a payer walks the
 * same way. With UPDATE_SCREENSHOTS=1 each page is photographed into apps/portal/docs/screenshots
 * for the READMEs.
 */
describe('registration portal in a browser', () => {
  let database: TestDatabase;
  let smtp: SmtpCatcher;
  let registration: INestApplication;
  let portal: RunningPortal;
  let browser: Browser;
  let vendorContext: BrowserContext;
  let staffContext: BrowserContext;
  let vendor: Page;
  let staff: Page;
  let registrationId = '';
  let firstSecret = '';
  let staffSecret = '';
  let recoveryCodes: string[] = [];

  const url = (pathname: string) => `${portal.url}${pathname}`;
  /** Photographs the viewport, scrolled to `focus` when given: small files that show what matters. */
  async function shot(page: Page, name: string, focus?: Locator): Promise<void> {
    if (!UPDATE_SCREENSHOTS) return;
    if (focus) await focus.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  /**
   * The one way into the portal for every walk: further steps of a login (an emailed code, a second
   * factor) belong here.
   */
  async function logIn(page: Page, who: { email: string; password: string }): Promise<void> {
    await page.goto(url('/login'));
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForLoadState();
  }

  /** Staff log in with password and TOTP; the first time, they enrol (the page shows the secret) and get recovery codes. */
  async function staffLogIn(page: Page): Promise<void> {
    await logIn(page, STAFF);
    if (page.url().endsWith('/login/enrol')) {
      staffSecret = await text(page.locator('#totp-secret'));
      await page.getByLabel('Authentication code').fill(await freshTotpCode(staffSecret));
      await page.getByRole('button', { name: 'Turn on' }).click();
      recoveryCodes = (await text(page.locator('#recovery-codes'))).split('\n').map((each) => each.trim());
      await page.getByRole('link', { name: 'I saved them, continue' }).click();
    } else {
      await page.waitForURL(/\/login\/second-factor$/);
      await page.getByLabel('Authentication code').fill(await freshTotpCode(staffSecret));
      await page.getByRole('button', { name: 'Verify' }).click();
    }
    await page.waitForURL(/\/admin/);
  }

  /** Opens the link of the verification mail sent to `email` and confirms it. */
  async function confirmAddress(page: Page, email: string): Promise<void> {
    const mail = await smtp.waitFor((each) => each.to.includes(email) && each.subject === 'Confirm your email address', `verification for ${email}`);
    const link = /(http:\/\/\S+\/verify-email\?token=[\w-]+)/.exec(mail.text)?.[1] ?? '';
    expect(link).not.toBe('');
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.waitForURL(/\/(login|registrations)$/);
    expect(await text(page.getByRole('status'))).toContain('is confirmed');
  }

  async function csrfOf(page: Page): Promise<string> {
    return (await page.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
  }

  async function staffAct(action: string, reason: string, id = registrationId): Promise<void> {
    await staff.goto(url(`/admin/registrations/${id}`));
    await staff.getByLabel(`Reason to ${action.toLowerCase()}`, { exact: true }).fill(reason);
    await staff.getByRole('button', { name: action, exact: true }).click();
    await staff.waitForLoadState();
  }

  beforeAll(async () => {
    if (UPDATE_SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    smtp = new SmtpCatcher();
    const [, created, portalPort] = await Promise.all([smtp.start(), createTestDatabase(), freePort()]);
    database = created;
    const config = loadConfig(RegistrationConfig, {
      PROFILE: 'sandbox',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: '',
      ADMIN_EMAIL: STAFF.email,
      ADMIN_PASSWORD: STAFF.password,
      PORTAL_JWT_SECRET: 'portal-e2e-secret-that-is-long-enough-0123456789',
      PORTAL_PUBLIC_URL: `http://127.0.0.1:${portalPort}`,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'api-access@plan.example',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
      OUTBOX_POLL_INTERVAL_MS: '50',
    });
    registration = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await registration.listen(0, '127.0.0.1');
    const registrationUrl = await registration.getUrl();
    portal = await startPortal(
      loadConfig(PortalConfig, { PORTAL_PORT: String(portalPort), PORTAL_HOST: '127.0.0.1', PORTAL_PUBLIC_URL: `http://127.0.0.1:${portalPort}`, REGISTRATION_API_URL: registrationUrl }),
    );
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    vendorContext = await browser.newContext({ viewport: VIEWPORT });
    await vendorContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.url.replace('localhost', '127.0.0.1') });
    staffContext = await browser.newContext({ viewport: VIEWPORT });
    vendor = await vendorContext.newPage();
    staff = await staffContext.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await registration?.close();
    await smtp?.stop();
    await database?.drop();
  });

  it('shows the API’s field errors next to the sign-up fields, then creates the account', async () => {
    await vendor.goto(url('/signup'));
    await vendor.getByLabel('a third-party application (app vendor)').check();
    await vendor.getByLabel('Your name').fill('Ada Lovelace');
    await vendor.getByLabel('Organization').fill('Acme Health Apps, Inc.');
    await vendor.getByLabel('Email').fill('not-an-email');
    await vendor.getByLabel('Phone').fill('call me');
    await vendor.getByLabel('Password').fill('short');
    await vendor.getByRole('button', { name: 'Create account' }).click();
    expect(await text(vendor.locator('#f-email-error'))).toContain('email must be an email');
    expect(await text(vendor.locator('#f-password-error'))).toContain('password must be longer than or equal to 12 characters');
    expect(await text(vendor.locator('#f-phone-error'))).toContain('phone');
    expect(await vendor.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect(await vendor.getByLabel('Email').getAttribute('aria-describedby')).toContain('f-email-error');
    // What the visitor typed stays, except the password.
    expect(await vendor.getByLabel('Your name').inputValue()).toBe('Ada Lovelace');
    expect(await vendor.getByLabel('Password').inputValue()).toBe('');
    await shot(vendor, 'signup-errors');

    await vendor.getByLabel('Email').fill(VENDOR.email);
    await vendor.getByLabel('Phone').fill('+1 919-555-0100');
    await vendor.getByLabel('Password').fill(VENDOR.password);
    await vendor.getByRole('button', { name: 'Create account' }).click();
    await vendor.waitForURL(/\/check-mail$/);
    expect(await text(vendor.locator('main'))).toContain(`We sent a link to ${VENDOR.email}`);
    await shot(vendor, 'check-mail');
  });

  it('lets the vendor confirm the address from the caught mail; a spent link is refused in plain words', async () => {
    const mail = await smtp.waitFor((each) => each.to.includes(VENDOR.email), 'verification');
    const link = /(http:\/\/\S+\/verify-email\?token=[\w-]+)/.exec(mail.text)?.[1] ?? '';
    await vendor.goto(link);
    await shot(vendor, 'verify-email');
    await vendor.getByRole('button', { name: 'Confirm my email address' }).click();
    await vendor.waitForURL(/\/login$/);
    expect(await text(vendor.getByRole('status'))).toContain(`Your address ${VENDOR.email} is confirmed`);
    await shot(vendor, 'login');
    await vendor.goto(link);
    await vendor.getByRole('button', { name: 'Confirm my email address' }).click();
    expect(await text(vendor.locator('#form-error'))).toContain('already used');
  });

  it('lets the vendor log in and register an application, with field errors from the API beside the fields', async () => {
    await logIn(vendor, VENDOR);
    await vendor.waitForURL(/\/registrations$/);
    await vendor.getByRole('link', { name: 'Register an application' }).click();
    const fill: [string, string][] = [
      ['Application name', 'Acme Health Record'],
      ['Company name', 'Acme Health Apps, Inc.'],
      ['Company website', 'https://acme-health.example'],
      ['Privacy policy URL', 'https://acme-health.example/privacy'],
      ['Terms of use URL', 'https://acme-health.example/terms'],
      ['Redirect URIs', 'https://acme-health.example/oauth/callback#fragment'],
      ['Contact email', 'api-access@acme-health.example'],
      ['Contact phone', '+1 919-555-0100'],
    ];
    for (const [label, value] of fill) await vendor.getByLabel(label, { exact: true }).fill(value);
    for (const question of await vendor.locator('fieldset:has(input[name^="attestations."])').all()) {
      const name = await question.locator('input').first().getAttribute('name');
      if (name === 'attestations.sellsMemberData') continue; // left unanswered on purpose
      await question.getByLabel('Yes').check();
    }
    await vendor.getByRole('button', { name: 'Submit registration' }).click();
    expect(await text(vendor.locator('#f-redirectUris-error'))).toContain('redirectUris.0 must not contain a fragment');
    expect(await text(vendor.locator('#f-attestations-sellsMemberData-error'))).toContain('attestations.sellsMemberData must be a boolean value');
    expect(await vendor.getByLabel('Redirect URIs').getAttribute('aria-invalid')).toBe('true');
    expect(await vendor.getByLabel('Application name').inputValue()).toBe('Acme Health Record');
    await shot(vendor, 'application-form-errors', vendor.locator('#f-redirectUris'));

    await vendor.getByLabel('Redirect URIs').fill('https://acme-health.example/oauth/callback\nhttp://127.0.0.1:8765/callback');
    await vendor.locator('#f-attestations-sellsMemberData-no').check();
    expect(await vendor.getByLabel(/^13 months/).isChecked()).toBe(true);
    await vendor.getByLabel(/^Research/).check();
    await vendor.getByRole('button', { name: 'Submit registration' }).click();
    await vendor.waitForURL(/\/registrations\/[0-9a-f-]{36}$/);
    registrationId = vendor.url().split('/').pop() ?? '';
    expect(await text(vendor.locator('.status'))).toBe('Pending');
    expect(await text(vendor.locator('#status-meaning'))).toContain('submitted and being reviewed');
    expect(await text(vendor.locator('#review-clock'))).toContain('0 of 10 business days');
    expect(await text(vendor.getByRole('table').last())).toContain('Submitted');
    expect(await text(vendor.locator('main'))).toContain('Research: no end date; access lasts until the member revokes it');
    await shot(vendor, 'registration-pending');

    await vendor.goto(url('/registrations'));
    await vendor.getByRole('link', { name: 'Acme Health Record' }).waitFor();
    await shot(vendor, 'registrations');
  });

  it('keeps the session server-side: an HttpOnly cookie, nothing in web storage, a strict CSP, CSRF on every form', async () => {
    const cookies = await vendorContext.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'portal_session', httpOnly: true, sameSite: 'Lax' });
    expect(cookies[0].value).not.toMatch(/^eyJ/);
    expect(await vendor.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    const page = await vendor.request.get(url('/registrations'));
    const csp = page.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers()['cache-control']).toBe('no-store');
    // A form posted without the session's token (what another site could make a browser send) is refused.
    const forged = await vendor.request.post(url('/registrations'), { form: { name: 'Forged', _csrf: 'guess' } });
    expect(forged.status()).toBe(403);
    const missing = await vendor.request.post(url('/logout'), { form: {} });
    expect(missing.status()).toBe(403);
    const json = await vendor.request.post(url('/registrations'), { data: { name: 'x' } });
    expect(json.status()).toBe(415);
    const huge = await vendor.request.post(url('/registrations'), { form: { name: 'x'.repeat(100_000) } });
    expect(huge.status()).toBe(413);
    expect((await vendor.request.get(url('/registrations/not-a-uuid'))).status()).toBe(404);
    expect((await vendor.request.get(url('/admin'))).status()).toBe(403);
  });

  it('makes staff set up TOTP at their first login, then asks for a code', async () => {
    await logIn(staff, STAFF);
    await staff.waitForURL(/\/login\/enrol$/);
    expect(await staff.locator('figure.qr svg').count()).toBe(1);
    staffSecret = await text(staff.locator('#totp-secret'));
    await staff.getByLabel('Authentication code').fill(['000000', '111111'].find((code) => code !== currentCode(staffSecret)) ?? '');
    await staff.getByRole('button', { name: 'Turn on' }).click();
    expect(await text(staff.locator('#f-code-error'))).toBe('This code is wrong, expired or already used.');
    expect(await staff.getByLabel('Authentication code').getAttribute('aria-invalid')).toBe('true');
    await shot(staff, 'second-factor-enrol');
    await staff.getByLabel('Authentication code').fill(await freshTotpCode(staffSecret));
    await staff.getByRole('button', { name: 'Turn on' }).click();
    recoveryCodes = (await text(staff.locator('#recovery-codes'))).split('\n').map((each) => each.trim());
    expect(recoveryCodes).toHaveLength(10);
    await shot(staff, 'recovery-codes');
    await staff.getByRole('link', { name: 'I saved them, continue' }).click();
    await staff.waitForURL(/\/admin$/);
  });

  it('lets staff ask for more information; the vendor replies in the thread (field errors first) and staff read it and answer', async () => {
    await staffAct('Request information', 'Which section of the privacy policy covers data sales?');
    expect(await text(staff.getByRole('status'))).toContain('is now pending');
    await smtp.waitFor((mail) => mail.subject === 'More information needed: Acme Health Record', 'information request');

    await vendor.goto(url(`/registrations/${registrationId}`));
    expect(await text(vendor.locator('#information-request'))).toContain('Which section of the privacy policy covers data sales?');
    const thread = vendor.locator('#thread');
    expect(await text(thread.locator('.message'))).toContain('Plan staff');
    expect(await text(thread.locator('.message'))).toContain('Information request');
    expect(await text(thread.locator('.message-body'))).toBe('Which section of the privacy policy covers data sales?');
    expect(await thread.textContent()).not.toContain(STAFF.email);

    // Text that would read otherwise than it is stored is refused beside the field; what was typed stays.
    await vendor.getByLabel('Message to plan staff').fill('Section 4 ‮seitrap driht‬');
    await vendor.getByRole('button', { name: 'Send message' }).click();
    expect(await text(vendor.locator('#f-thread-body-error'))).toContain('body must not contain bidirectional override');
    expect(await vendor.getByLabel('Message to plan staff').getAttribute('aria-invalid')).toBe('true');
    expect(await vendor.getByLabel('Message to plan staff').inputValue()).toContain('Section 4');
    await shot(vendor, 'thread-reply-error', vendor.locator('#f-thread-body'));
    await vendor.getByLabel('Message to plan staff').fill('Section 4, “Data sales”: we sell no member data.\nThe policy links to it from its first page.');
    await vendor.getByRole('button', { name: 'Send message' }).click();
    await vendor.waitForURL(new RegExp(`/registrations/${registrationId}#thread$`));
    expect(await text(vendor.getByRole('status'))).toBe('Your message was sent to plan staff.');
    expect(await text(thread.locator('.message').last())).toContain('You');
    expect(await text(thread.locator('.message-body').last())).toBe('Section 4, “Data sales”: we sell no member data.The policy links to it from its first page.');
    expect(await vendor.locator('#review-clock').textContent()).toContain('0 of 10 business days');
    await shot(vendor, 'thread-owner', thread);
    const toStaff = await smtp.waitFor((mail) => mail.subject === 'Message from the owner: Acme Health Record', 'the reply, to staff');
    expect(toStaff.to).toEqual([STAFF.email]);

    await staff.goto(url(`/admin/registrations/${registrationId}`));
    const staffThread = staff.locator('#thread');
    expect(await text(staffThread.locator('.message').first())).toContain(STAFF.email);
    expect(await text(staffThread.locator('.message').last())).toContain(`Owner (${VENDOR.email})`);
    await staff.getByLabel('Message to the owner').fill('Thank you. Please also link that section from the consent screen.');
    await staff.getByRole('button', { name: 'Send message' }).click();
    await staff.waitForURL(/#thread$/);
    expect(await text(staff.getByRole('status'))).toContain('the contact was notified');
    await shot(staff, 'thread-staff', staffThread);
    const toVendor = await smtp.waitFor((mail) => mail.subject === 'Message from plan staff: Acme Health Record', 'staff message, to the vendor');
    expect(toVendor.text).toContain(`/registrations/${registrationId}`);
    await vendor.getByRole('link', { name: 'Edit answers' }).click();
    expect(await vendor.getByLabel('Privacy policy URL').inputValue()).toBe('https://acme-health.example/privacy');
    await vendor.getByLabel('Privacy policy URL').fill('ftp://acme-health.example/privacy');
    await vendor.getByRole('button', { name: 'Save answers' }).click();
    expect(await text(vendor.locator('#f-privacyPolicyUrl-error'))).toContain('privacyPolicyUrl');
    expect(await vendor.getByLabel('Privacy policy URL').getAttribute('aria-invalid')).toBe('true');
    await shot(vendor, 'edit-errors', vendor.locator('#f-privacyPolicyUrl'));
    // Nothing of the refused change was saved.
    const unchanged = await (await vendor.request.get(url(`/registrations/${registrationId}`))).text();
    expect(unchanged).toContain('<dd>https://acme-health.example/privacy</dd>');
    expect(unchanged).not.toContain('ftp://');
    await vendor.getByLabel('Privacy policy URL').fill('https://acme-health.example/privacy#data-sales');
    await vendor.getByRole('button', { name: 'Save answers' }).click();
    await vendor.waitForURL(new RegExp(`/registrations/${registrationId}$`));
    expect(await text(vendor.getByRole('status'))).toBe('Your answers were saved.');
    expect(await text(vendor.locator('dd', { hasText: 'privacy#data-sales' }))).toBe('https://acme-health.example/privacy#data-sales');
    expect(await text(vendor.getByRole('table').last())).toContain('More information requested');
  });

  it('lets staff find it in the queue with its clock and approve it with a reason; a stale second approval is a plain sentence', async () => {
    await staffLogIn(staff);
    await staff.waitForURL(/\/admin$/);
    const row = staff.getByRole('row', { name: /Acme Health Record/ });
    expect(await text(row)).toContain('0 of 10 business days');
    expect(await text(row)).toContain('Information given');
    expect(await text(row)).toContain('Pending');
    await shot(staff, 'review-queue');
    // Paging and the age filter: everything here was submitted today.
    expect(await text(staff.locator('#queue-count'))).toMatch(/^1–\d+ of \d+$/);
    await staff.getByLabel('Age', { exact: true }).selectOption('7');
    await staff.getByRole('button', { name: 'Filter' }).click();
    await staff.getByText('No registration matches.').waitFor();
    expect(staff.url()).toContain('minAgeDays=7');
    // The export button hands over the API's CSV of the filtered queue.
    await staff.goto(url('/admin?kind=application&status=pending'));
    const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^review-queue-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await staff.request.get(url('/admin/export.csv?kind=application&status=pending'));
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^id,kind,status,name,company,submitted_at/);
    expect(lines.slice(1)).toEqual([expect.stringContaining(`${registrationId},application,pending,Acme Health Record,`)]);
    await staff.goto(url('/admin'));
    // The sandbox's demo payer is approved at start: no payer waits for review.
    await staff.getByLabel('Kind').selectOption('payer');
    await staff.getByLabel('Status').selectOption('pending');
    await staff.getByRole('button', { name: 'Filter' }).click();
    await staff.getByText('No registration matches.').waitFor();

    await staff.goto(url(`/admin/registrations/${registrationId}`));
    const stale = await staffContext.newPage();
    await stale.goto(url(`/admin/registrations/${registrationId}`));
    expect(await staff.getByRole('button', { name: 'Reinstate' }).count()).toBe(0);
    await staff.getByRole('button', { name: 'Approve', exact: true }).click();
    expect(await text(staff.locator('#reason-approve-error'))).toContain('reason must be longer than or equal to 1 characters');
    await shot(staff, 'review-reason-required', staff.locator('#reason-approve'));
    await staffAct('Approve', 'Privacy policy and attestations reviewed; all requirements met.');
    expect(await text(staff.locator('.status').first())).toBe('Approved');
    expect(await text(staff.getByRole('status'))).toContain('is now approved');
    await shot(staff, 'review-approved');

    await stale.getByLabel('Reason to approve').fill('Approving twice');
    await stale.getByRole('button', { name: 'Approve', exact: true }).click();
    expect(await text(stale.locator('#form-error'))).toBe('The registration is already approved.');
    await stale.close();

    const mail = await smtp.waitFor((each) => each.subject === 'Approved: Acme Health Record', 'approval', 15_000);
    expect(mail.text).toContain(`${portal.url.replace('localhost', '127.0.0.1')}/registrations/${registrationId}`);
  });

  it('shows the vendor the secret once, with a copy button, never again, and rotates it after confirmation', async () => {
    await vendor.goto(url(`/registrations/${registrationId}`));
    expect(await text(vendor.locator('.status'))).toBe('Approved');
    const clientId = (await vendor.locator('#client-id').textContent()) ?? '';
    expect(clientId).toMatch(/^[A-Za-z0-9]{20}$/);
    await vendor.getByRole('button', { name: 'Get credentials' }).click();
    expect(await text(vendor.getByRole('alert'))).toContain('it will not be shown again');
    firstSecret = ((await vendor.locator('#client-secret').textContent()) ?? '').trim();
    expect(firstSecret.length).toBeGreaterThanOrEqual(32);
    await vendor.getByRole('button', { name: 'Copy secret' }).click();
    expect(await text(vendor.locator('#client-secret-status'))).toBe('Copied to the clipboard.');
    expect(await vendor.evaluate(() => navigator.clipboard.readText())).toBe(firstSecret);
    await shot(vendor, 'credentials-secret');

    await vendor.goto(url(`/registrations/${registrationId}`));
    await vendor.getByRole('button', { name: 'Get credentials' }).click();
    expect(await text(vendor.locator('#secret-already-shown'))).toContain('cannot be shown again');
    expect(await vendor.content()).not.toContain(firstSecret);
    await shot(vendor, 'credentials-shown-before');

    // The browser refuses the rotation until it is confirmed; so does the portal.
    await vendor.getByRole('button', { name: 'Rotate secret' }).click();
    expect(await vendor.locator('#client-secret').count()).toBe(0);
    await vendor.getByLabel('I understand that the current secret stops working').check();
    await vendor.getByRole('button', { name: 'Rotate secret' }).click();
    expect(await text(vendor.getByRole('alert'))).toContain('The previous secret stops working');
    const rotated = ((await vendor.locator('#client-secret').textContent()) ?? '').trim();
    expect(rotated).not.toBe(firstSecret);
    expect(rotated.length).toBeGreaterThanOrEqual(32);
    await shot(vendor, 'credentials-rotated');
  });

  it('lets staff suspend with a reason; the vendor sees why and asks for a review; staff reinstate', async () => {
    await staffAct('Suspend', 'Tokens were sent to a host outside the registered redirect URIs.');
    expect(await text(staff.locator('.status').first())).toBe('Suspended');

    await vendor.goto(url(`/registrations/${registrationId}`));
    expect(await text(vendor.locator('.status'))).toBe('Suspended');
    expect(await text(vendor.locator('#status-meaning'))).toContain('blocking the application’s access');
    expect(await text(vendor.locator('#status-reason'))).toContain('Tokens were sent to a host outside the registered redirect URIs.');
    expect(await vendor.content()).not.toContain(STAFF.email);
    await vendor.getByRole('button', { name: 'Request a review' }).click();
    expect(await text(vendor.locator('#f-message-error'))).toContain('message must be longer than or equal to 1 characters');
    await vendor.getByLabel('Why should plan staff review this status?').fill('We fixed the token handling and rotated the secret.');
    await vendor.getByRole('button', { name: 'Request a review' }).click();
    expect(await text(vendor.getByRole('status').first())).toContain('Your review request was sent.');
    await shot(vendor, 'registration-suspended', vendor.locator('#review-heading'));

    await staff.goto(url('/admin?status=suspended'));
    expect(await text(staff.getByRole('row', { name: /Acme Health Record/ }))).toContain('Review requested');
    await staffAct('Reinstate', 'Fix verified.');
    expect(await text(staff.locator('.status').first())).toBe('Approved');
    expect(await text(staff.getByRole('table').last())).toContain('We fixed the token handling');
    await shot(staff, 'review-registration');

    await vendor.goto(url(`/registrations/${registrationId}`));
    expect(await text(vendor.locator('.status'))).toBe('Approved');
  });

  it('sends an identity change of an approved app to staff, who approve it; the values in force stay until then', async () => {
    await vendor.goto(url(`/registrations/${registrationId}/edit`));
    expect(await text(vendor.locator('.warning'))).toContain('wait for plan staff');
    await vendor.getByLabel('Application name').fill('Acme Health Record Plus');
    expect(await vendor.getByLabel(/^Research/).isChecked()).toBe(true);
    await vendor.getByLabel(/^13 months/).check();
    await vendor.getByRole('button', { name: 'Save answers' }).click();
    expect(await text(vendor.getByRole('status'))).toContain('wait for plan staff');
    expect(await text(vendor.locator('h1'))).toBe('Acme Health Record');
    expect(await text(vendor.locator('#pending-change').locator('..'))).toContain('Acme Health Record Plus');
    expect(await text(vendor.locator('#pending-change').locator('..'))).toContain('thirteen_month');

    await staff.goto(url('/admin'));
    expect(await text(staff.getByRole('row', { name: /Acme Health Record/ }))).toContain('Change waiting');
    await staffAct('Approve change', 'The new name matches the app store listing.');
    expect(await text(staff.locator('h1'))).toBe('Acme Health Record Plus');
    expect(await text(staff.locator('main'))).toContain('13 months: members authorize again');
    await vendor.goto(url(`/registrations/${registrationId}`));
    expect(await text(vendor.locator('h1'))).toBe('Acme Health Record Plus');
    expect(await vendor.locator('#pending-change').count()).toBe(0);
  });

  it('sends a visitor from a link to the login and back, and to the login again when the API no longer takes the session', async () => {
    const visitorContext = await browser.newContext();
    const visitor = await visitorContext.newPage();
    await visitor.goto(url(`/registrations/${registrationId}`));
    await visitor.waitForURL(/\/login\?next=/);
    await visitor.getByLabel('Email').fill(VENDOR.email);
    await visitor.getByLabel('Password').fill(VENDOR.password);
    await visitor.getByRole('button', { name: 'Log in' }).click();
    await visitor.waitForURL(new RegExp(`/registrations/${registrationId}$`));

    // As after a restart of the registration service with a new token key: its answer is 401.
    const [cookie] = await visitorContext.cookies();
    const session = portal.sessions.get(cookie.value);
    expect(session?.token).toMatch(/^eyJ/);
    if (session) session.token = 'eyJhbGciOiJIUzI1NiJ9.e30.not-a-signature';
    await visitor.goto(url('/registrations'));
    await visitor.waitForURL(/\/login\?next=%2Fregistrations$/);
    expect(await text(visitor.getByRole('status'))).toBe('Your session has ended. Log in again.');
    expect(portal.sessions.get(cookie.value)).toBeUndefined();
    await visitorContext.close();
  });

  describe('a payer', () => {
    const PAYER = { email: 'interop@carolina-mutual.example', password: 'another long passphrase' };
    let payerContext: BrowserContext;
    let payer: Page;
    let payerId = '';
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const privateJwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'cm-ec-1', alg: 'ES384', use: 'sig' };

    beforeAll(async () => {
      payerContext = await browser.newContext({ viewport: VIEWPORT });
      payer = await payerContext.newPage();
    });

    afterAll(async () => {
      await payerContext?.close();
    });

    async function fillPayerForm(): Promise<void> {
      for (const [label, value] of [
        ['Payer organization', 'Carolina Mutual Health Plan'],
        ['Payer website', 'https://carolina-mutual.example'],
        ['Privacy policy URL', 'https://carolina-mutual.example/privacy'],
        ['Redirect URLs', 'https://carolina-mutual.example/oauth/callback'],
        ['Payer document email', 'payer-documents@carolina-mutual.example'],
        ['Contact email', 'interop@carolina-mutual.example'],
        ['Contact phone', '+1 704-555-0142'],
      ]) {
        await payer.getByLabel(label, { exact: true }).fill(value);
      }
      for (const yes of await payer.getByLabel('Yes').all()) await yes.check();
    }

    it('signs up and registers with the seed 000 form and its keys, field errors first and nothing saved on bad input', async () => {
      await payer.goto(url('/signup'));
      await payer.getByLabel('a payer (payer-to-payer exchange)').check();
      await payer.getByLabel('Your name').fill('Grace Hopper');
      await payer.getByLabel('Organization').fill('Carolina Mutual');
      await payer.getByLabel('Email').fill(PAYER.email);
      await payer.getByLabel('Phone').fill('+1 704-555-0142');
      await payer.getByLabel('Password').fill(PAYER.password);
      await payer.getByRole('button', { name: 'Create account' }).click();
      await payer.waitForURL(/\/check-mail$/);
      await confirmAddress(payer, PAYER.email);
      await logIn(payer, PAYER);
      await payer.getByRole('link', { name: 'Register a payer' }).click();
      expect(await payer.getByLabel('Company name').count()).toBe(0);
      await fillPayerForm();

      // A private key pasted by mistake, and a key URL in plain http: the API names both beside their fields.
      await payer.getByLabel('JWKS (inline)').fill(JSON.stringify({ keys: [privateJwk] }));
      await payer.getByLabel('Contact phone').fill('call us');
      await payer.getByRole('button', { name: 'Submit registration' }).click();
      expect(await text(payer.locator('#f-jwks-error'))).toMatch(/jwks\.keys\.0/);
      expect(await text(payer.locator('#f-contactPhone-error'))).toContain('contactPhone must be a phone number');
      expect(await payer.getByLabel('JWKS (inline)').getAttribute('aria-invalid')).toBe('true');
      expect(await payer.getByLabel('Payer organization').inputValue()).toBe('Carolina Mutual Health Plan');
      await shot(payer, 'payer-form-errors', payer.locator('#f-jwks'));
      await payer.getByLabel('Contact phone').fill('+1 704-555-0142');
      await payer.getByLabel('JWKS (inline)').fill('{ not json');
      await payer.getByRole('button', { name: 'Submit registration' }).click();
      expect(await text(payer.locator('#f-jwks-error'))).toContain('jwks must be an object with a keys array');
      await payer.getByLabel('JWKS (inline)').fill('');
      await payer.getByLabel('JWKS URL').fill('http://carolina-mutual.example/jwks.json');
      await payer.getByRole('button', { name: 'Submit registration' }).click();
      expect(await text(payer.locator('#f-jwksUri-error'))).toContain('jwksUri');
      expect(await payer.getByLabel('JWKS URL').getAttribute('aria-invalid')).toBe('true');
      await payer.goto(url('/registrations'));
      expect(await text(payer.locator('main'))).toContain('You have no registration yet.');

      await payer.getByRole('link', { name: 'Register a payer' }).click();
      await fillPayerForm();
      await payer.getByLabel('JWKS URL').fill('https://carolina-mutual.example/.well-known/jwks.json');
      await shot(payer, 'payer-form', payer.locator('#f-jwksUri'));
      await payer.getByRole('button', { name: 'Submit registration' }).click();
      await payer.waitForURL(/\/registrations\/[0-9a-f-]{36}$/);
      payerId = payer.url().split('/').pop() ?? '';
      expect(await text(payer.locator('#status-meaning'))).toBe('The payer’s request is submitted and being reviewed by the plan.');
      expect(await payer.locator('#review-clock').count()).toBe(0);
      expect(await text(payer.locator('dd', { hasText: 'jwks.json' }))).toBe('https://carolina-mutual.example/.well-known/jwks.json');
    });

    it('reads staff’s information request and replies in the portal; staff approve', async () => {
      await staffAct('Request information', 'Please send the NAIC company code of the plan.', payerId);
      await payer.goto(url(`/registrations/${payerId}`));
      expect(await text(payer.locator('#thread .message-body'))).toBe('Please send the NAIC company code of the plan.');
      await payer.getByLabel('Message to plan staff').fill('Our NAIC company code is 12345.');
      await payer.getByRole('button', { name: 'Send message' }).click();
      expect(await text(payer.getByRole('status'))).toBe('Your message was sent to plan staff.');

      await staff.goto(url('/admin?kind=payer&status=pending'));
      expect(await text(staff.getByRole('row', { name: /Carolina Mutual/ }))).toContain('Information requested');
      await staff.getByRole('link', { name: /Carolina Mutual/ }).first().click();
      expect(await text(staff.locator('#thread .message-body').last())).toBe('Our NAIC company code is 12345.');
      await staffAct('Approve', 'Payer documents verified.', payerId);
      expect(await text(staff.locator('.status').first())).toBe('Approved');
      await smtp.waitFor((mail) => mail.subject === 'Approved: Carolina Mutual Health Plan' && mail.to.includes('payer-documents@carolina-mutual.example'), 'payer approval');
    });

    it('shows the secret once even to two tabs asking at once, then rotates it', async () => {
      const csrf = await csrfOf(payer);
      const answers = await Promise.all([0, 1].map(() => payerContext.request.post(url(`/registrations/${payerId}/credentials`), { form: { _csrf: csrf } })));
      const bodies = await Promise.all(answers.map((answer) => answer.text()));
      expect(answers.map((answer) => answer.status())).toEqual([200, 200]);
      expect(bodies.filter((body) => body.includes('id="client-secret"'))).toHaveLength(1);

      await payer.goto(url(`/registrations/${payerId}`));
      await payer.getByRole('button', { name: 'Get credentials' }).click();
      expect(await text(payer.locator('#secret-already-shown'))).toContain('cannot be shown again');
      await payer.getByLabel('I understand that the current secret stops working').check();
      await payer.getByRole('button', { name: 'Rotate secret' }).click();
      expect(await text(payer.getByRole('alert'))).toContain('The previous secret stops working');
      expect(((await payer.locator('#client-secret').textContent()) ?? '').trim().length).toBeGreaterThanOrEqual(32);
    });

    it('is suspended with a reason, asks for a review, and is reinstated', async () => {
      await staffAct('Suspend', 'Documents sent to an unregistered address.', payerId);
      await payer.goto(url(`/registrations/${payerId}`));
      expect(await text(payer.locator('.status'))).toBe('Suspended');
      expect(await text(payer.locator('#status-reason'))).toContain('Documents sent to an unregistered address.');
      await payer.getByLabel('Why should plan staff review this status?').fill('We corrected the document address.');
      await payer.getByRole('button', { name: 'Request a review' }).click();
      expect(await text(payer.getByRole('status').first())).toContain('Your review request was sent.');

      await staff.goto(url('/admin?kind=payer&status=suspended'));
      expect(await text(staff.getByRole('row', { name: /Carolina Mutual/ }))).toContain('Review requested');
      await staffAct('Reinstate', 'Address corrected.', payerId);
      await payer.goto(url(`/registrations/${payerId}`));
      expect(await text(payer.locator('.status'))).toBe('Approved');
    });

    it('keeps hostile text out of a 500: refused or kept as typed', async () => {
      const csrf = await csrfOf(payer);
      for (const name of ['Evil\u0000Plan', '\u202eNALP\u202c 😀', 'x'.repeat(5000)]) {
        const answer = await payerContext.request.post(url(`/registrations/${payerId}/edit`), { form: { _csrf: csrf, name }, maxRedirects: 0 });
        expect([303, 400, 409]).toContain(answer.status());
      }
      for (const body of ['\u0000', '\u2066x\u2069', 'x'.repeat(6000)]) {
        const answer = await payerContext.request.post(url(`/registrations/${payerId}/messages`), { form: { _csrf: csrf, body }, maxRedirects: 0 });
        expect(answer.status()).toBe(400);
      }
      const unicode = await payerContext.request.post(url(`/registrations/${payerId}/review-request`), { form: { _csrf: csrf, message: '\u0000' }, maxRedirects: 0 });
      expect(unicode.status()).toBeLessThan(500);
    });
  });

  it('lets staff log in with a recovery code once; a reused or wrong code shows its error next to the field', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await logIn(page, STAFF);
    await page.waitForURL(/\/login\/second-factor$/);
    await page.getByLabel('Authentication code').fill('12345x');
    await page.getByRole('button', { name: 'Verify' }).click();
    expect(await text(page.locator('#f-code-error'))).toContain('code must be the 6 digits');
    expect(await page.getByLabel('Authentication code').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'second-factor-error');
    await page.getByText('Use a recovery code instead').click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.waitForURL(/\/admin$/);
    await page.getByRole('button', { name: 'Log out' }).click();

    await logIn(page, STAFF);
    await page.getByText('Use a recovery code instead').click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    expect(await text(page.locator('#f-recovery_code-error'))).toBe('This code is wrong, expired or already used.');
    expect(await page.getByLabel('Recovery code').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/\/login\/second-factor$/);
    await context.close();
  });

  it('lets a vendor see the unconfirmed address, ask for the link again (throttled), and turn a second factor on', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const who = { email: 'careful@acme-health.example', password: 'a careful long passphrase' };
    await page.goto(url('/signup'));
    await page.getByLabel('a third-party application (app vendor)').check();
    await page.getByLabel('Your name').fill('Careful Vendor');
    await page.getByLabel('Organization').fill('Acme');
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Phone').fill('+1 919-555-0100');
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/check-mail$/);
    await logIn(page, who);
    await page.getByRole('link', { name: who.email }).click();
    expect(await text(page.locator('main dl'))).toContain('not confirmed yet');
    await page.getByRole('button', { name: 'Send the link again' }).click();
    expect(await text(page.locator('#form-error'))).toMatch(/^A verification mail was sent a moment ago\. Try again in \d+ seconds\.$/);
    await confirmAddress(page, who.email);

    await page.goto(url('/account'));
    expect(await text(page.locator('main dl'))).toContain('confirmed');
    await page.getByRole('button', { name: 'Turn on a second factor' }).click();
    const secret = await text(page.locator('#totp-secret'));
    await page.getByLabel('Authentication code').fill('abc');
    await page.getByRole('button', { name: 'Turn on' }).click();
    expect(await text(page.locator('#f-code-error'))).toContain('code must be the 6 digits');
    await page.getByLabel('Authentication code').fill(await freshTotpCode(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    expect((await text(page.locator('#recovery-codes'))).split('\n')).toHaveLength(10);
    await page.getByRole('link', { name: 'I saved them, continue' }).click();
    expect(await text(page.locator('main dl'))).toContain('on · 10 recovery codes left');
    await shot(page, 'account');

    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(page, who);
    await page.waitForURL(/\/login\/second-factor$/);
    await page.getByLabel('Authentication code').fill(await freshTotpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/registrations$/);
    await context.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await vendor.setViewportSize({ width: 375, height: 800 });
    for (const pathname of [`/registrations/${registrationId}`, '/registrations/new', '/registrations']) {
      await vendor.goto(url(pathname));
      expect(await vendor.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }
    await vendor.goto(url(`/registrations/${registrationId}`));
    await shot(vendor, 'phone-registration');
  });

  it('shows the API’s retry time after too many failed logins', async () => {
    const page = await browser.newPage();
    for (let attempt = 0; attempt < 3; attempt++) {
      await logIn(page, { email: VENDOR.email, password: 'wrong password guess' });
      expect(await text(page.locator('#form-error'))).toBe('Wrong email or password.');
    }
    await logIn(page, VENDOR);
    expect(await text(page.locator('#form-error'))).toMatch(/^Too many login attempts\. Try again in \d+ (seconds|minutes)\.$/);
    await shot(page, 'login-throttled');
    await page.close();
  });
});

/** The text of the first match, once it is there (Playwright waits, then reads). */
async function text(locator: Locator): Promise<string> {
  await locator.first().waitFor({ timeout: 10_000 });
  return ((await locator.first().textContent()) ?? '').trim();
}
