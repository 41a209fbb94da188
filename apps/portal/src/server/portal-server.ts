import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorList, errorSentence, RegistrationApiClient, RegistrationApiUnavailable, type ApiAnswer } from '../api/registration-api.client';
import { loginPage, messagePage, signupPage, SIGNUP_FIELDS } from '../pages/account-pages';
import { accountPage, checkMailPage, enrolPage, recoveryCodesPage, secondFactorPage, verifyEmailPage } from '../pages/account-security-pages';
import QRCode from 'qrcode';
import {
  adminRegistrationPage,
  CHANGE_ACTIONS,
  QUEUE_FILTERS,
  QUEUE_PAGE_SIZE,
  queuePage,
  STATUS_ACTIONS,
  type AdminRegistration,
  type QueueFilters,
  type QueueItem,
} from '../pages/admin-pages';
import { fieldErrors } from '../pages/field-errors';
import { PAGE_CSP, PORTAL_SCRIPT } from '../pages/layout';
import { bodyOf, formFieldNames, valuesOf, type RegistrationKind } from '../pages/registration-form';
import {
  credentialsPage,
  editRegistrationPage,
  listPage,
  newRegistrationPage,
  registrationPage,
  type Credentials,
  type Registration,
} from '../pages/registration-pages';
import { threadCursor, type ThreadPage, type ThreadView } from '../pages/thread';
import type { PortalConfig } from '../portal.config';
import { BadForm, readForm } from './form-body';
import { csrfMatches, SessionStore, type AccountKind, type PortalSession } from './session-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thrown when the API no longer accepts the session's token: the visitor logs in again. */
class SessionEnded extends Error {}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  session: PortalSession;
  /** Whether the session cookie must be (re)sent. */
  newSession: boolean;
  form: Record<string, string>;
}

export interface PortalServerOptions {
  log?: (line: string) => void;
  sessions?: SessionStore;
}

export interface RunningPortal {
  url: string;
  server: Server;
  sessions: SessionStore;
  stop(): Promise<void>;
}

/**
 * The registration portal: server-rendered pages over the registration API. The API token lives
 * only in the server-side session; the browser holds an opaque, HttpOnly session cookie, and every
 * form that changes something carries the session's CSRF token.
 */
export class PortalServer {
  private readonly api: RegistrationApiClient;
  readonly sessions: SessionStore;
  private readonly secureCookie: boolean;
  private readonly cookieName: string;
  private readonly log: (line: string) => void;

  constructor(
    private readonly config: PortalConfig,
    options: PortalServerOptions = {},
  ) {
    this.api = new RegistrationApiClient(config.REGISTRATION_API_URL);
    this.sessions = options.sessions ?? new SessionStore();
    this.secureCookie = new URL(config.PORTAL_PUBLIC_URL).protocol === 'https:';
    // __Host- binds the cookie to this exact origin, which browsers allow only for Secure cookies.
    this.cookieName = this.secureCookie ? '__Host-portal_session' : 'portal_session';
    this.log = options.log ?? (() => undefined);
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    this.dispatch(request, response).catch((error: unknown) => {
      this.log(`portal request failed: ${error instanceof Error ? error.name : 'error'}`);
      if (!response.headersSent) this.sendHtml(response, 500, messagePage(undefined, 'Something went wrong', 'The portal could not answer. Try again shortly.'));
      else response.destroy();
    });
  };

  private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://portal.invalid');
    } catch {
      return this.sendHtml(response, 400, messagePage(undefined, 'Bad request', 'The address is not valid.'));
    }
    const method = request.method ?? 'GET';
    if (url.pathname === '/assets/portal.js' && (method === 'GET' || method === 'HEAD')) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
      return void response.end(method === 'HEAD' ? undefined : PORTAL_SCRIPT);
    }
    if (url.pathname === '/health' || url.pathname === '/health/live' || url.pathname === '/health/ready') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void response.end(JSON.stringify({ status: 'ok', service: 'portal' }));
    }
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      response.setHeader('allow', 'GET, HEAD, POST');
      return this.sendHtml(response, 405, messagePage(undefined, 'Not allowed', 'The portal answers only page requests and form posts.'));
    }

    const existing = this.sessions.get(this.cookieOf(request));
    const session = existing ?? this.sessions.createAnonymous();
    const exchange: Exchange = { request, response, url, session, newSession: !existing, form: {} };
    if (method === 'POST') {
      try {
        exchange.form = await readForm(request);
      } catch (error) {
        if (error instanceof BadForm) return this.page(exchange, error.status, messagePage(session, 'The form could not be read', error.message));
        throw error;
      }
      if (!existing || !csrfMatches(session, exchange.form._csrf)) {
        return this.page(exchange, 403, messagePage(session, 'The form has expired', 'Reload the page and send the form again.'));
      }
    }
    try {
      await this.route(exchange, method === 'HEAD' ? 'GET' : method);
    } catch (error) {
      if (error instanceof SessionEnded) {
        this.sessions.destroy(session);
        const fresh = this.sessions.createAnonymous();
        fresh.flash = 'Your session has ended. Log in again.';
        return this.redirect({ ...exchange, session: fresh, newSession: true }, `/login?next=${encodeURIComponent(url.pathname)}`);
      }
      if (error instanceof RegistrationApiUnavailable) {
        this.log(error.message);
        return this.page(exchange, 502, messagePage(session, 'The registration service is not answering', 'Try again in a few moments.'));
      }
      throw error;
    }
  }

  private async route(x: Exchange, method: string): Promise<void> {
    const path = x.url.pathname;
    const segments = path.split('/').filter(Boolean);
    if (path === '/') return this.redirect(x, this.home(x.session));
    if (path === '/login') return method === 'POST' ? this.login(x) : this.page(x, 200, loginPage(x.session, { next: safeNext(x.url.searchParams.get('next')) }));
    if (path === '/signup') return method === 'POST' ? this.signup(x) : this.page(x, 200, signupPage(x.session));
    if (ACCOUNT_SECURITY_PATHS.has(path)) return this.accountSecurity(x, path, method);
    if (path === '/logout' && method === 'POST') {
      this.sessions.destroy(x.session);
      const fresh = this.sessions.createAnonymous();
      fresh.flash = 'You have logged out.';
      return this.redirect({ ...x, session: fresh, newSession: true }, '/login');
    }

    if (segments[0] === 'registrations') {
      if (!this.requireRole(x, ['developer', 'payer'])) return;
      if (segments.length === 1) return method === 'POST' ? this.submitRegistration(x) : this.listRegistrations(x);
      if (segments.length === 2 && segments[1] === 'new' && method === 'GET') return this.page(x, 200, newRegistrationPage(x.session, this.ownKind(x.session)));
      const id = segments[1];
      if (!UUID.test(id)) return this.notFound(x);
      const rest = segments.slice(2).join('/');
      if (rest === '' && method === 'GET') return this.showRegistration(x, id);
      if (rest === 'edit') return method === 'POST' ? this.saveRegistration(x, id) : this.editRegistration(x, id);
      if (method === 'POST' && rest === 'credentials') return this.credentials(x, id, false);
      if (method === 'POST' && rest === 'credentials/rotate') return this.credentials(x, id, true);
      if (method === 'POST' && rest === 'review-request') return this.requestReview(x, id);
      if (method === 'POST' && rest === 'messages') return this.postMessage(x, id, false);
      return this.notFound(x);
    }

    if (segments[0] === 'admin') {
      if (!this.requireRole(x, ['staff'])) return;
      if (segments.length === 1 && method === 'GET') return this.queue(x);
      if (path === '/admin/export.csv' && method === 'GET') return this.exportQueue(x);
      if (segments[1] === 'registrations' && segments.length >= 3 && UUID.test(segments[2])) {
        if (segments.length === 3 && method === 'GET') return this.showAdminRegistration(x, segments[2]);
        if (segments.length === 4 && method === 'POST' && segments[3] === 'messages') return this.postMessage(x, segments[2], true);
        if (segments.length === 4 && method === 'POST') return this.act(x, segments[2], segments[3]);
      }
    }
    return this.notFound(x);
  }

  // --- accounts -------------------------------------------------------------------------------

  private async login(x: Exchange): Promise<void> {
    const email = x.form.email ?? '';
    const next = safeNext(x.form.next);
    const answer = await this.api.call<{ access_token: string; expires_in: number; second_factor?: 'required' | 'enrolment_required'; second_factor_token?: string }>('POST', '/v1/auth/login', {
      body: { email, password: x.form.password ?? '' },
      clientAddress: clientAddress(x.request),
    });
    if (answer.status !== 200) {
      const error =
        answer.status === 429
          ? `Too many login attempts. Try again in ${formatWait(answer.retryAfterSeconds)}.`
          : answer.status === 401
            ? 'Wrong email or password.'
            : errorSentence(answer.body, 'The login was refused.');
      return this.page(x, answer.status, loginPage(x.session, { email, error, next }), answer.retryAfterSeconds);
    }
    const step = answer.body.second_factor;
    if (step) {
      x.session.secondFactor = { token: answer.body.second_factor_token ?? '', step, next };
      return this.redirect(x, step === 'required' ? '/login/second-factor' : '/login/enrol');
    }
    return this.finishLogin(x, answer.body.access_token, answer.body.expires_in, next);
  }

  private async finishLogin(x: Exchange, token: string, expiresIn: number, next: string | undefined, show?: (session: PortalSession) => string): Promise<void> {
    const me = await this.api.call<{ email: string; name: string; kind: AccountKind }>('GET', '/v1/accounts/me', { token });
    if (me.status !== 200) return this.page(x, 502, messagePage(x.session, 'Login failed', 'Your account could not be read. Try again.'));
    const session = this.sessions.logIn(x.session, token, expiresIn, { email: me.body.email, name: me.body.name, kind: me.body.kind });
    if (show) return this.page({ ...x, session, newSession: true }, 200, show(session));
    return this.redirect({ ...x, session, newSession: true }, next ?? this.home(session));
  }

  private async signup(x: Exchange): Promise<void> {
    const values = Object.fromEntries(SIGNUP_FIELDS.map((name) => [name, x.form[name] ?? ''])) as Record<string, string>;
    const body: Record<string, string> = { ...values };
    if (!body.kind) delete body.kind;
    const answer = await this.api.call('POST', '/v1/accounts', { body, clientAddress: clientAddress(x.request) });
    if (answer.status === 201) {
      x.session.signedUpEmail = values.email;
      return this.redirect(x, '/check-mail');
    }
    const { password: _password, ...kept } = values;
    const errors =
      answer.status === 400
        ? fieldErrors((answer.body as { message?: unknown }).message, SIGNUP_FIELDS)
        : { byField: new Map<string, string[]>(), general: [this.refusal(answer, 'The account could not be created.')] };
    return this.page(x, answer.status, signupPage(x.session, kept, errors), answer.retryAfterSeconds);
  }

  // --- email verification and second factor ---------------------------------------------------

  private async accountSecurity(x: Exchange, path: string, method: string): Promise<void> {
    if (path === '/check-mail') return this.page(x, 200, checkMailPage(x.session, x.session.signedUpEmail ?? 'your address'));
    if (path === '/verify-email') {
      if (method !== 'POST') return this.page(x, 200, verifyEmailPage(x.session, x.url.searchParams.get('token') ?? ''));
      const answer = await this.api.call<{ email: string }>('POST', '/v1/accounts/verify-email', { body: { token: x.form.token ?? '' }, clientAddress: clientAddress(x.request) });
      if (answer.status !== 200) return this.page(x, answer.status, verifyEmailPage(x.session, x.form.token ?? '', this.refusal(answer, 'The link is not valid.')));
      x.session.flash = `Your address ${answer.body.email} is confirmed. You can submit registrations.`;
      return this.redirect(x, x.session.account ? this.home(x.session) : '/login');
    }
    if (path === '/login/second-factor' || path === '/login/enrol') return this.loginSecondFactor(x, path, method);
    if (!this.requireRole(x, ['developer', 'payer', 'staff'])) return;
    if (path === '/account' && method === 'GET') return this.showAccount(x);
    if (method !== 'POST') return this.notFound(x);
    if (path === '/account/verification-mail') {
      const answer = await this.authed<{ sentTo: string }>(x, 'POST', '/v1/accounts/me/verification-mail');
      if (answer.status === 429) return this.showAccount(x, 429, `A verification mail was sent a moment ago. Try again in ${formatWait(answer.retryAfterSeconds)}.`);
      if (answer.status !== 202) return this.showAccount(x, answer.status, this.refusal(answer, 'The mail could not be sent.'));
      x.session.flash = `A new link is on its way to ${answer.body.sentTo}.`;
      return this.redirect(x, '/account');
    }
    if (path === '/account/second-factor') {
      const answer = await this.authed<{ secret: string; otpauthUri: string }>(x, 'POST', '/v1/accounts/me/second-factor');
      if (answer.status !== 200) return this.showAccount(x, answer.status, this.refusal(answer, 'The second factor could not be set up.'));
      x.session.enrolment = { secret: answer.body.secret, qrSvg: await qrSvg(answer.body.otpauthUri) };
      return this.page(x, 200, enrolPage(x.session, { ...x.session.enrolment, action: '/account/second-factor/confirm', required: false }));
    }
    if (path === '/account/second-factor/confirm') {
      const enrolment = x.session.enrolment;
      if (!enrolment) return this.redirect(x, '/account');
      const answer = await this.authed<{ recoveryCodes: string[] }>(x, 'POST', '/v1/accounts/me/second-factor/confirm', { code: x.form.code ?? '' });
      if (answer.status !== 200) return this.page(x, answer.status, enrolPage(x.session, { ...enrolment, action: path, required: false }, this.codeErrors(answer)), answer.retryAfterSeconds);
      x.session.enrolment = undefined;
      return this.page(x, 200, recoveryCodesPage(x.session, answer.body.recoveryCodes, '/account'));
    }
    return this.notFound(x);
  }

  private async showAccount(x: Exchange, status = 200, error?: string): Promise<void> {
    const me = await this.authed<{ email: string; emailVerified: boolean; secondFactor: boolean; recoveryCodesLeft: number }>(x, 'GET', '/v1/accounts/me');
    return this.page(x, status, accountPage(x.session, me.body, error));
  }

  /** The login's second step: a code (or recovery code), or for staff without one, the enrolment. */
  private async loginSecondFactor(x: Exchange, path: string, method: string): Promise<void> {
    const pending = x.session.secondFactor;
    if (!pending || (path === '/login/enrol') !== (pending.step === 'enrolment_required')) return this.redirect(x, '/login');
    const stepToken = { second_factor_token: pending.token };
    if (path === '/login/second-factor') {
      if (method !== 'POST') return this.page(x, 200, secondFactorPage(x.session));
      const recovery = x.form.recovery_code !== undefined;
      const body = recovery ? { ...stepToken, recovery_code: x.form.recovery_code } : { ...stepToken, code: x.form.code ?? '' };
      const answer = await this.api.call<{ access_token: string; expires_in: number }>('POST', '/v1/auth/second-factor', { body, clientAddress: clientAddress(x.request) });
      if (answer.status === 200) return this.finishLogin(x, answer.body.access_token, answer.body.expires_in, pending.next);
      if (expiredStep(answer)) return this.restartLogin(x);
      return this.page(x, answer.status, secondFactorPage(x.session, { recoveryCode: x.form.recovery_code }, this.codeErrors(answer, recovery ? 'recovery_code' : 'code')), answer.retryAfterSeconds);
    }
    if (!pending.enrolment) {
      const started = await this.api.call<{ secret: string; otpauthUri: string }>('POST', '/v1/auth/second-factor/enrolment', { body: stepToken, clientAddress: clientAddress(x.request) });
      if (started.status !== 200) return this.restartLogin(x);
      pending.enrolment = { secret: started.body.secret, qrSvg: await qrSvg(started.body.otpauthUri) };
    }
    const shown = { ...pending.enrolment, action: '/login/enrol', required: true };
    if (method !== 'POST') return this.page(x, 200, enrolPage(x.session, shown));
    const answer = await this.api.call<{ access_token: string; expires_in: number; recovery_codes: string[] }>('POST', '/v1/auth/second-factor/enrolment/confirm', {
      body: { ...stepToken, code: x.form.code ?? '' },
      clientAddress: clientAddress(x.request),
    });
    if (answer.status === 200) {
      const codes = answer.body.recovery_codes;
      return this.finishLogin(x, answer.body.access_token, answer.body.expires_in, pending.next, (session) => recoveryCodesPage(session, codes, pending.next ?? this.home(session)));
    }
    if (expiredStep(answer)) return this.restartLogin(x);
    return this.page(x, answer.status, enrolPage(x.session, shown, this.codeErrors(answer)), answer.retryAfterSeconds);
  }

  private restartLogin(x: Exchange): void {
    x.session.secondFactor = undefined;
    x.session.flash = 'The login took too long. Log in again.';
    return this.redirect(x, '/login');
  }

  /** The API's refusal of a code, shown next to the field it concerns. */
  private codeErrors(answer: ApiAnswer, field = 'code') {
    if (answer.status === 400) return fieldErrors((answer.body as { message?: unknown } | null)?.message, ['code', 'recovery_code']);
    const message = answer.status === 401 ? 'This code is wrong, expired or already used.' : this.refusal(answer, 'The code was refused.');
    return { byField: new Map([[field, [message]]]), general: [] };
  }

  // --- vendors and payers ---------------------------------------------------------------------

  private async listRegistrations(x: Exchange): Promise<void> {
    const answer = await this.authed<Registration[]>(x, 'GET', '/v1/registrations');
    return this.page(x, 200, listPage(x.session, Array.isArray(answer.body) ? answer.body : []));
  }

  private async submitRegistration(x: Exchange): Promise<void> {
    const kind = this.ownKind(x.session);
    const answer = await this.authed<{ id: string }>(x, 'POST', kind === 'payer' ? '/v1/payers' : '/v1/applications', bodyOf(kind, x.form));
    if (answer.status === 201) {
      x.session.flash = 'Your registration was submitted. Plan staff will review it.';
      return this.redirect(x, `/registrations/${answer.body.id}`);
    }
    return this.page(x, answer.status, newRegistrationPage(x.session, kind, x.form, this.formErrors(answer, kind, 'The registration was refused.')), answer.retryAfterSeconds);
  }

  private async ownRegistration(x: Exchange, id: string): Promise<Registration | undefined> {
    const answer = await this.authed<Registration>(x, 'GET', `/v1/registrations/${id}`);
    if (answer.status !== 200) {
      this.notFound(x);
      return undefined;
    }
    return answer.body;
  }

  private async showRegistration(x: Exchange, id: string): Promise<void> {
    const registration = await this.ownRegistration(x, id);
    if (registration) this.page(x, 200, registrationPage(x.session, registration, { thread: await this.thread(x, id, false) }));
  }

  private async editRegistration(x: Exchange, id: string): Promise<void> {
    const registration = await this.ownRegistration(x, id);
    if (registration) this.page(x, 200, editRegistrationPage(x.session, registration, valuesOf({ ...registration, ...(registration.pendingChange?.values ?? {}) })));
  }

  private async saveRegistration(x: Exchange, id: string): Promise<void> {
    const registration = await this.ownRegistration(x, id);
    if (!registration) return;
    const body = bodyOf(registration.kind, x.form);
    // The client type is fixed once credentials exist; a disabled control sends nothing.
    if (registration.clientId) delete body.clientType;
    const answer = await this.authed<Registration>(x, 'PATCH', `/v1/registrations/${id}`, body);
    if (answer.status === 200) {
      x.session.flash = answer.body.pendingChange
        ? 'Your answers were saved. The changes to the name, URLs or redirect URIs wait for plan staff.'
        : 'Your answers were saved.';
      return this.redirect(x, `/registrations/${id}`);
    }
    return this.page(x, answer.status, editRegistrationPage(x.session, registration, x.form, this.formErrors(answer, registration.kind, 'The change was refused.')));
  }

  private async credentials(x: Exchange, id: string, rotate: boolean): Promise<void> {
    const registration = await this.ownRegistration(x, id);
    if (!registration) return;
    if (rotate && x.form.confirm !== 'yes') {
      return this.page(x, 400, registrationPage(x.session, registration, { error: 'Confirm that the current secret may stop working before rotating it.', thread: await this.thread(x, id, false) }));
    }
    const answer = rotate
      ? await this.authed<Credentials>(x, 'POST', `/v1/registrations/${id}/credentials/rotate`)
      : await this.authed<Credentials>(x, 'GET', `/v1/registrations/${id}/credentials`);
    if (answer.status !== 200) {
      return this.page(x, answer.status, registrationPage(x.session, registration, { error: this.refusal(answer, 'The credentials could not be read.'), thread: await this.thread(x, id, false) }));
    }
    return this.page(x, 200, credentialsPage(x.session, registration, answer.body, rotate));
  }

  private async requestReview(x: Exchange, id: string): Promise<void> {
    const message = x.form.message ?? '';
    const answer = await this.authed<{ note: string }>(x, 'POST', `/v1/registrations/${id}/review-requests`, { message });
    if (answer.status === 201) {
      x.session.flash = `Your review request was sent. ${answer.body.note}`;
      return this.redirect(x, `/registrations/${id}`);
    }
    const registration = await this.ownRegistration(x, id);
    if (!registration) return;
    const thread = await this.thread(x, id, false);
    return this.page(
      x,
      answer.status,
      answer.status === 400
        ? registrationPage(x.session, registration, { reviewMessage: message, reviewErrors: errorList(answer.body, 'Invalid message.'), thread })
        : registrationPage(x.session, registration, { error: this.refusal(answer, 'The review request was refused.'), reviewMessage: message, thread }),
    );
  }

  // --- the thread between owner and staff ----------------------------------------------------

  /** One page of the thread, `?before=` naming an older one; null when the API would not say. */
  private async thread(x: Exchange, id: string, staffView: boolean, kept: { body?: string; errors?: string[] } = {}): Promise<ThreadView> {
    const base = staffView ? `/admin/registrations/${id}` : `/registrations/${id}`;
    const before = threadCursor(x.url.searchParams.get('before'));
    const answer = await this.authed<ThreadPage>(x, 'GET', `/v1${base}/messages${before ? `?before=${before}` : ''}`);
    return { page: answer.status === 200 ? answer.body : null, action: `${base}/messages`, pagePath: base, staffView, ...kept };
  }

  private async postMessage(x: Exchange, id: string, staffView: boolean): Promise<void> {
    const base = staffView ? `/admin/registrations/${id}` : `/registrations/${id}`;
    const body = x.form.body ?? '';
    const answer = await this.authed(x, 'POST', `/v1${base}/messages`, { body });
    if (answer.status === 201) {
      x.session.flash = staffView ? 'Your message was sent; the contact was notified by email.' : 'Your message was sent to plan staff.';
      return this.redirect(x, `${base}#thread`);
    }
    const errors = answer.status === 400 ? errorList(answer.body, 'The message is not valid.') : undefined;
    const error = answer.status === 400 ? undefined : this.refusal(answer, 'The message was refused.');
    if (staffView) {
      const registration = await this.adminRegistration(x, id);
      if (registration) this.page(x, answer.status, adminRegistrationPage(x.session, registration, { error, thread: await this.thread(x, id, true, { body, errors }) }));
      return;
    }
    const registration = await this.ownRegistration(x, id);
    if (registration) this.page(x, answer.status, registrationPage(x.session, registration, { error, thread: await this.thread(x, id, false, { body, errors }) }));
  }

  // --- plan staff -----------------------------------------------------------------------------

  /** The queue's filters from the address, each only with a value the page offers. */
  private queueFilters(x: Exchange): { filters: QueueFilters; query: URLSearchParams } {
    const filters: QueueFilters = {};
    const query = new URLSearchParams();
    for (const [name, allowed] of QUEUE_FILTERS) {
      const value = x.url.searchParams.get(name);
      if (value && allowed.includes(value)) {
        filters[name] = value;
        query.set(name, value);
      }
    }
    return { filters, query };
  }

  private async queue(x: Exchange): Promise<void> {
    const { filters, query } = this.queueFilters(x);
    const requested = Number(x.url.searchParams.get('page') ?? '1');
    const page = Number.isInteger(requested) && requested >= 1 && requested <= 10_000 ? requested : 1;
    query.set('offset', String((page - 1) * QUEUE_PAGE_SIZE));
    query.set('limit', String(QUEUE_PAGE_SIZE));
    const answer = await this.authed<QueueItem[]>(x, 'GET', `/v1/admin/registrations?${query}`);
    if (answer.status !== 200) return this.page(x, answer.status, queuePage(x.session, { items: [], page, total: 0 }, filters, this.refusal(answer, 'The queue could not be read.')));
    return this.page(x, 200, queuePage(x.session, { items: answer.body, page, total: answer.totalCount ?? answer.body.length }, filters));
  }

  /** The filtered queue as the API's CSV file, every page. */
  private async exportQueue(x: Exchange): Promise<void> {
    const { filters, query } = this.queueFilters(x);
    const file = await this.api.download(`/v1/admin/registrations/export.csv${query.size ? `?${query}` : ''}`, 'text/csv', { token: x.session.token, clientAddress: clientAddress(x.request) });
    if (file.status === 401) throw new SessionEnded();
    if (file.status !== 200 || !file.contentType.startsWith('text/csv')) {
      return this.page(x, file.status === 200 ? 502 : file.status, queuePage(x.session, { items: [], page: 1, total: 0 }, filters, 'The export could not be made. Try again shortly.'));
    }
    this.setCookie(x);
    x.response.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': file.contentDisposition ?? 'attachment; filename="review-queue.csv"',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    x.response.end(x.request.method === 'HEAD' ? undefined : file.body);
  }

  private async adminRegistration(x: Exchange, id: string): Promise<AdminRegistration | undefined> {
    const answer = await this.authed<AdminRegistration>(x, 'GET', `/v1/admin/registrations/${id}`);
    if (answer.status !== 200) {
      this.notFound(x);
      return undefined;
    }
    return answer.body;
  }

  private async showAdminRegistration(x: Exchange, id: string): Promise<void> {
    const registration = await this.adminRegistration(x, id);
    if (registration) this.page(x, 200, adminRegistrationPage(x.session, registration, { thread: await this.thread(x, id, true) }));
  }

  private async act(x: Exchange, id: string, action: string): Promise<void> {
    const isChange = (CHANGE_ACTIONS as readonly string[]).includes(action);
    if (!isChange && !(STATUS_ACTIONS as readonly string[]).includes(action)) return this.notFound(x);
    const reason = x.form.reason ?? '';
    const body: Record<string, string> = isChange ? { reason, changeId: x.form.changeId ?? '' } : { reason };
    const answer = await this.authed<AdminRegistration>(x, 'POST', `/v1/admin/registrations/${id}/${action}`, body);
    if (answer.status === 200) {
      x.session.flash = `Done: ${answer.body.name} is now ${answer.body.status}. The contact was notified.`;
      return this.redirect(x, `/admin/registrations/${id}`);
    }
    const registration = await this.adminRegistration(x, id);
    if (!registration) return;
    const thread = await this.thread(x, id, true);
    return this.page(
      x,
      answer.status,
      answer.status === 400
        ? adminRegistrationPage(x.session, registration, { action, reason, reasonErrors: errorList(answer.body, 'Invalid reason.'), thread })
        : adminRegistrationPage(x.session, registration, { action, reason, error: this.refusal(answer, 'The action was refused.'), thread }),
    );
  }

  // --- plumbing -------------------------------------------------------------------------------

  private async authed<T>(x: Exchange, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const answer = await this.api.call<T>(method, path, { token: x.session.token, body, clientAddress: clientAddress(x.request) });
    if (answer.status === 401) throw new SessionEnded();
    return answer;
  }

  private formErrors(answer: ApiAnswer, kind: RegistrationKind, fallback: string) {
    if (answer.status === 400) return fieldErrors((answer.body as { message?: unknown } | null)?.message, formFieldNames(kind));
    return { byField: new Map<string, string[]>(), general: [this.refusal(answer, fallback)] };
  }

  private refusal(answer: ApiAnswer, fallback: string): string {
    if (answer.status === 429) return `Too many requests. Try again in ${formatWait(answer.retryAfterSeconds)}.`;
    return errorSentence(answer.body, fallback);
  }

  private requireRole(x: Exchange, kinds: AccountKind[]): boolean {
    const account = x.session.account;
    if (!account) {
      this.redirect(x, `/login?next=${encodeURIComponent(x.url.pathname)}`);
      return false;
    }
    if (!kinds.includes(account.kind)) {
      this.page(x, 403, messagePage(x.session, 'Not for this account', 'This page belongs to another kind of account.'));
      return false;
    }
    return true;
  }

  private ownKind(session: PortalSession): RegistrationKind {
    return session.account?.kind === 'payer' ? 'payer' : 'application';
  }

  private home(session: PortalSession): string {
    if (!session.account) return '/login';
    return session.account.kind === 'staff' ? '/admin' : '/registrations';
  }

  private notFound(x: Exchange): void {
    this.page(x, 404, messagePage(x.session, 'Not found', 'There is no such page, or it is not yours.'));
  }

  private cookieOf(request: IncomingMessage): string | undefined {
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === this.cookieName) return value.join('=');
    }
    return undefined;
  }

  private setCookie(x: Exchange): void {
    if (!x.newSession) return;
    const maxAge = Math.max(0, Math.floor((x.session.expiresAt - Date.now()) / 1000));
    x.response.setHeader(
      'set-cookie',
      `${this.cookieName}=${x.session.id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${this.secureCookie ? '; Secure' : ''}`,
    );
  }

  private page(x: Exchange, status: number, html: string, retryAfterSeconds?: number | null): void {
    // The flash was rendered into this page: it is not shown twice.
    x.session.flash = undefined;
    this.setCookie(x);
    if (retryAfterSeconds) x.response.setHeader('retry-after', String(retryAfterSeconds));
    this.sendHtml(x.response, status, html, x.request.method === 'HEAD');
  }

  private redirect(x: Exchange, location: string): void {
    this.setCookie(x);
    x.response.writeHead(303, { location, 'cache-control': 'no-store' });
    x.response.end();
  }

  private sendHtml(response: ServerResponse, status: number, html: string, headOnly = false): void {
    response.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      // Pages carry account data and, once, a client secret: nothing may keep them.
      'cache-control': 'no-store',
    });
    response.end(headOnly ? undefined : html);
  }
}

const ACCOUNT_SECURITY_PATHS = new Set(['/check-mail', '/verify-email', '/login/second-factor', '/login/enrol', '/account', '/account/verification-mail', '/account/second-factor', '/account/second-factor/confirm']);

/** A 401 about the step token itself (expired): the password step must be done again. */
function expiredStep(answer: ApiAnswer): boolean {
  return answer.status === 401 && /log in again/i.test(errorSentence(answer.body, ''));
}

/** The enrolment's otpauth URI as an inline SVG: no image request, nothing for the CSP to allow. */
function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 220 });
}

/** Only a path of this portal: never another origin ("//evil.example", "/\\evil.example"). */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || [...next].some((char) => char.charCodeAt(0) < 0x20)) return undefined;
  return next;
}

function clientAddress(request: IncomingMessage): string | undefined {
  return request.socket.remoteAddress?.replace(/^::ffff:/, '');
}

function formatWait(seconds: number | null): string {
  if (!seconds) return 'a little while';
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export async function startPortal(config: PortalConfig, options: PortalServerOptions = {}): Promise<RunningPortal> {
  const portal = new PortalServer(config, options);
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000, maxHeaderSize: 16 * 1024 }, portal.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORTAL_PORT, config.PORTAL_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.PORTAL_HOST === '0.0.0.0' || config.PORTAL_HOST === '::' ? 'localhost' : config.PORTAL_HOST;
  return {
    url: `http://${host}:${port}`,
    server,
    sessions: portal.sessions,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
