import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { AUTHORIZE_PATH, tokenRequest } from '../../platform-e2e/test/support/http';
import { expectStatus, type RegisteredApp } from '../../platform-e2e/test/support/registration';

/** A member of the sandbox (seed 002), who logs in on the authorization service's pages. */
export interface Member {
  readonly username: string;
  readonly password: string;
  readonly patientId: string;
}

/** The sandbox member with this user name (`BCNCUser03`…), who signs in with the data set's password. */
export function sandboxMember(username: string): Member {
  const found = SANDBOX_MEMBERS.find((candidate) => candidate.username === username);
  if (!found) throw new Error(`no sandbox member ${username}`);
  return found;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** The token response as issued, for shaping a comparable answer of the bare server. */
  readonly response: Record<string, unknown>;
}

/** Scopes of the benchmark's authorizations: offline_access asks for a refresh token. */
export const BENCH_SCOPE = 'openid profile offline_access patient/*.read';

const MAX_HOPS = 12;

/**
 * The cookies of one member journey on one host. Paths are not kept apart: the journey's cookie
 * names (`_interaction`, `_interaction_resume`, `_session`, their `.sig`) are distinct, and the
 * provider reads each by name, so sending all of them on every request is harmless.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Applies `Set-Cookie` header values: stores, replaces, or drops expired cookies. */
  store(setCookies: readonly string[], now = Date.now()): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (value === '' || attributes.some((attribute) => expired(attribute, now))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function expired(attribute: string, now: number): boolean {
  const separator = attribute.indexOf('=');
  const name = attribute.slice(0, separator < 0 ? undefined : separator).trim().toLowerCase();
  const value = separator < 0 ? '' : attribute.slice(separator + 1).trim();
  if (name === 'max-age') return Number(value) <= 0;
  if (name === 'expires') return Date.parse(value) <= now;
  return false;
}

/**
 * The member journey of seed 002 over plain HTTP, on the authorization service's real pages:
 * the authorization request, the disclaimer ("I Understand"), the login, "Self", the consent
 * ("I Agree"), then the redirect back to the app, which is read from the `Location` header and
 * never followed. The browser flow of the platform e2e proves the pages in Chromium; the bench
 * needs dozens of grants and posts the same forms without one.
 */
export async function authorizeOverHttp(authorizationUrl: string, app: RegisteredApp, member: Member, scope = BENCH_SCOPE): Promise<string> {
  const jar = new CookieJar();
  const state = `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const query = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: app.redirectUri, scope, state });
  let location = await follow(jar, 'GET', `${authorizationUrl}${AUTHORIZE_PATH}?${query.toString()}`, undefined, app.redirectUri);
  const interaction = location;
  for (const [step, form] of [
    ['disclaimer', { acknowledge: 'yes' }],
    ['login', { username: member.username, password: member.password }],
    ['representative', { actingAs: 'self' }],
    ['consent', { decision: 'agree' }],
  ] as const) {
    location = await follow(jar, 'POST', `${interaction}/${step}`, new URLSearchParams(form).toString(), app.redirectUri);
  }
  const redirect = new URL(location);
  if (!redirect.href.startsWith(app.redirectUri)) throw new Error(`the member journey did not return to the app (ended at ${redirect.origin}${redirect.pathname})`);
  const code = redirect.searchParams.get('code');
  if (redirect.searchParams.get('state') !== state || !code) {
    throw new Error(`the app was redirected without a code for its state (error: ${redirect.searchParams.get('error') ?? 'none'})`);
  }
  return code;
}

/** An authorization over HTTP, then the code exchange with client_secret_basic. */
export async function issueTokens(authorizationUrl: string, app: RegisteredApp, member: Member): Promise<IssuedTokens> {
  const code = await authorizeOverHttp(authorizationUrl, app, member);
  const response = await tokenRequest(authorizationUrl, app, { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri });
  expectStatus(response, 200, 'authorization code exchange');
  const { access_token: accessToken, refresh_token: refreshToken } = response.body;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string') throw new Error('the code exchange returned no access token or no refresh token');
  if (response.body.patient !== member.patientId) throw new Error(`the token names patient ${String(response.body.patient)}, not ${member.patientId}`);
  return { accessToken, refreshToken, response: response.body };
}

/**
 * Sends one request and follows redirects on the authorization host with the jar's cookies; stops
 * at (and returns) the interaction page's URL or the app's redirect URI.
 */
async function follow(jar: CookieJar, method: 'GET' | 'POST', url: string, form: string | undefined, redirectUri: string): Promise<string> {
  let current = url;
  let request: { method: string; body?: string } = { method, body: form };
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const cookie = jar.header();
    const response = await fetch(current, {
      method: request.method,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(request.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: request.body,
      signal: AbortSignal.timeout(15_000),
    });
    jar.store(response.headers.getSetCookie());
    const text = await response.text();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`${request.method} ${new URL(current).pathname} answered ${response.status} where a redirect was expected: ${text.replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    const next = new URL(location, current).href;
    if (next.startsWith(redirectUri)) return next;
    // Each step's form answers 303 to the interaction page, where the next form is posted.
    if (/\/interaction\/[^/]+$/.test(new URL(next).pathname)) return next;
    current = next;
    request = { method: 'GET' };
  }
  throw new Error(`more than ${MAX_HOPS} redirects from ${new URL(url).pathname}`);
}
