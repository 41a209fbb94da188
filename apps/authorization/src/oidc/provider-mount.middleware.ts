import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseScopes, toScopeString } from '@payer-access/scopes';
import { createHash } from 'node:crypto';
import type { ClientStatusFreshness } from '@payer-access/client-status';
import { StructuredTokenEndpoints } from '../tokens/structured-token.endpoints';
import type { OidcProviderHost } from './oidc-provider.host';

const FORM = 'application/x-www-form-urlencoded';
const BODY_LIMIT = 56 * 1024;
const MAX_REDIRECT_LENGTH = 8 * 1024;
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** oidc-provider's opaque tokens are base64url; a lookup is made only for values of that shape. */
const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{20,256}$/;

type Request = IncomingMessage & { body?: unknown; originalUrl?: string };
type Next = (error?: unknown) => void;

/**
 * Mounts oidc-provider in front of Nest's routes for the protocol paths only, and evens out
 * what real clients send before the provider sees it:
 * - the seed's curl sends `application/x-www-formurlencoded` (no hyphen): named correctly so the
 *   provider reads it as the form it is;
 * - scope names the seed writes in another case (`openID`, `FHIRUser`) are normalized and
 *   tokens we do not understand (`read`) are dropped rather than refused;
 * - `offline_access` without `prompt=consent` would be dropped by the provider (OIDC Core
 *   §11), but every authorization here asks for consent, so the prompt is made explicit;
 * - a POSTed authorization request continues as a GET of the same parameters;
 * - PKCE `plain` (RFC 7636 §4.2), which oidc-provider does not implement, is accepted where
 *   the deployment allows it by turning the challenge into its S256 form: the verifier of a
 *   plain challenge is the challenge itself, so S256(verifier) then matches;
 * - every URL the provider publishes (discovery, redirects to its own pages) is built on the
 *   configured public URL, never on the Host or X-Forwarded-Host a caller sends;
 * - a public client's refresh request names no client (RFC 6749 §6, SMART's refresh step), so
 *   the refresh token's own client is named for it when, and only when, that client is public;
 * - in the sandbox, an authorization request with only `client_id` (seed 002 step 5) gets the
 *   rest from the client's registration and the seed.
 */
export function providerMountMiddleware(host: OidcProviderHost, structured: StructuredTokenEndpoints, options: MountOptions) {
  const { routes } = host;
  const exact = new Set([routes.authorization, routes.token, routes.revocation, routes.introspection, routes.jwks, routes.discovery]);
  const prefixes = [`${routes.authorization}/`];
  const isProviderPath = (path: string) => exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));
  const isInteractionPath = (path: string) => path.startsWith(`${routes.interaction}/`);
  const honoursCredentials = (path: string) =>
    path === routes.token || path === routes.introspection || path === routes.authorization || path.startsWith(`${routes.authorization}/`);
  const publicUrl = new URL(options.publicUrl);

  return async (req: Request, res: ServerResponse, next: Next): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://internal');
    if (isInteractionPath(url.pathname)) {
      // The interaction pages hand over to the provider, which builds its resume URL and cookies from the request.
      pinPublicOrigin(req, publicUrl);
      return next();
    }
    if (!isProviderPath(url.pathname) || !host.isStarted) return next();
    // Bounded staleness: a projection older than the bound may be missing a suspension, so nothing
    // that issues or honours a credential answers until it is current again. Revocation still does.
    if (url.pathname !== routes.revocation && honoursCredentials(url.pathname) && options.clientStatusFreshness.isStale()) {
      return refuseWhileStale(res, options.clientStatusFreshness.retryAfterSeconds());
    }
    pinPublicOrigin(req, publicUrl);
    try {
      if (url.pathname === routes.authorization && req.method === 'GET') {
        const params = toParams(url.searchParams);
        if (options.sandboxDefaults) await applySandboxDefaults(params, host);
        normalizeAuthorizationParams(params, options.allowPlainPkce);
        req.url = `${url.pathname}?${toQuery(params)}`;
      } else if (req.method === 'POST' && isFormLike(req.headers['content-type'])) {
        // The provider only reads the body it recognises: name the seed's misspelt type correctly.
        req.headers['content-type'] = FORM;
        const isToken = url.pathname === routes.token && req.headers.authorization === undefined;
        const needsBody = isToken || url.pathname === routes.authorization || url.pathname === routes.introspection || url.pathname === routes.revocation;
        if (needsBody) {
          // The rate limit ahead may have read the form already.
          const params = isParsedForm(req.body) ? req.body : await readForm(req);
          if (isToken) {
            await namePublicRefreshClient(params, host);
            req.body = params;
            return host.handler(req, res);
          }
          if (url.pathname === routes.authorization) {
            // OIDC Core §3.1.2.1 allows POST; the same request continues as a GET (303 keeps it safe to repeat).
            normalizeAuthorizationParams(params, options.allowPlainPkce);
            const location = `${url.pathname}?${toQuery(params)}`;
            // A GET of that URL would exceed what servers and browsers read in a request line.
            if (location.length > MAX_REDIRECT_LENGTH) throw new Error('authorization request too long');
            res.statusCode = 303;
            res.setHeader('location', location);
            res.setHeader('cache-control', 'no-store');
            res.end();
            return;
          }
          if (StructuredTokenEndpoints.isJwt(params.token)) {
            const authorization = req.headers.authorization;
            if (url.pathname === routes.introspection) return await structured.introspect(params, authorization, res);
            return await structured.revoke(params, authorization, res);
          }
          // The stream is consumed: the provider reads the parsed body from req.body instead.
          req.body = params;
        }
      }
    } catch {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      res.end(JSON.stringify({ error: 'invalid_request', error_description: 'the request body could not be read' }));
      return;
    }
    host.handler(req, res);
  };
}

export interface MountOptions {
  allowPlainPkce: boolean;
  /** Fill in what seed 002 step 5 leaves out of an authorization request (sandbox profile only). */
  sandboxDefaults: boolean;
  /** AUTHORIZATION_PUBLIC_URL: the issuer, and the origin of every URL the provider builds. */
  publicUrl: string;
  /** How current the client projection is; the token, introspection and authorization endpoints refuse while it is stale. */
  clientStatusFreshness: Pick<ClientStatusFreshness, 'isStale' | 'retryAfterSeconds'>;
}

/** The message of every refusal while the client projection is stale. */
export const STALE_CLIENT_STATUSES = "this server cannot confirm that the app is still approved: its view of app statuses is out of date; retry shortly";

/** RFC 6749 §4.1.2.1's `temporarily_unavailable`, as a 503 with Retry-After (the client is not redirected: its status is what is in doubt). */
export function refuseWhileStale(res: ServerResponse, retryAfterSeconds: number): void {
  res.statusCode = 503;
  res.setHeader('retry-after', String(retryAfterSeconds));
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: STALE_CLIENT_STATUSES }));
}

/** The scope seed 002 gives for its sandbox client ("patient/*.read openID FHIRUser", with profile from step 1). */
export const SEED_DEFAULT_SCOPE = 'openid fhirUser profile patient/*.read';

/**
 * The provider (a Koa app trusting proxy headers) builds its URLs from the request's host and
 * protocol. They are set to the configured public URL here, so that a caller's Host or
 * X-Forwarded-Host never shows up in what the server publishes (OpenID Discovery §4.3: the
 * issuer and the endpoints must agree). Client addresses (X-Forwarded-For) are left as they are.
 */
function pinPublicOrigin(req: Request, publicUrl: URL): void {
  req.headers.host = publicUrl.host;
  req.headers['x-forwarded-host'] = publicUrl.host;
  req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
}

/**
 * RFC 6749 §6: a public client refreshes with `grant_type`, `refresh_token` and maybe `scope`,
 * without `client_id`. The provider needs to know the client to authenticate it with method
 * `none`: it is named from the refresh token, only for a token issued to a public client and
 * only when the request carries no client authentication at all, so a confidential client
 * still has to authenticate and gains nothing here.
 */
async function namePublicRefreshClient(params: Record<string, string | string[]>, host: OidcProviderHost): Promise<void> {
  if (params.grant_type !== 'refresh_token' || typeof params.refresh_token !== 'string') return;
  if (params.client_id !== undefined || params.client_secret !== undefined || params.client_assertion !== undefined) return;
  // Anything but a token the provider could have issued is left for the provider to refuse.
  if (!OPAQUE_TOKEN.test(params.refresh_token)) return;
  try {
    const token = await host.provider.RefreshToken.find(params.refresh_token, { ignoreExpiration: true });
    if (!token?.clientId) return;
    const client = await host.provider.Client.find(token.clientId);
    if (client?.clientAuthMethod === 'none') params.client_id = client.clientId;
  } catch {
    // Not found or unreadable: the request goes on unnamed and the provider answers invalid_request.
  }
}

/**
 * Seed 002 step 5 opens the authorization URL with only `?client_id=`: the sandbox answers it
 * as the seed expects, with `response_type=code`, the client's one registered redirect URI and
 * the seed's scope. Anything the request does name is kept; production never gets here.
 */
async function applySandboxDefaults(params: Record<string, string | string[]>, host: OidcProviderHost): Promise<void> {
  if (typeof params.client_id !== 'string') return;
  params.response_type ??= 'code';
  params.scope ??= SEED_DEFAULT_SCOPE;
  if (params.redirect_uri === undefined) {
    const client = await host.provider.Client.find(params.client_id).catch(() => undefined);
    if (client?.redirectUris.length === 1) params.redirect_uri = client.redirectUris[0];
  }
}

/** `application/x-www-form-urlencoded` and the seed's misspelling of it, any parameters. */
export function isFormLike(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === FORM || type === 'application/x-www-formurlencoded';
}

export async function readForm(req: Request): Promise<Record<string, string | string[]>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return toParams(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

function isParsedForm(body: unknown): body is Record<string, string | string[]> {
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body);
}

function toParams(search: URLSearchParams): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of search) {
    const existing = params[key];
    // Duplicates are kept so that the provider refuses them (RFC 6749 §3.1).
    params[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  }
  return params;
}

function toQuery(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const each of ([] as string[]).concat(value)) search.append(key, each);
  return search.toString();
}

function normalizeAuthorizationParams(params: Record<string, string | string[]>, allowPlainPkce: boolean): void {
  if (typeof params.scope === 'string') {
    params.scope = normalizeScope(params.scope);
    if (params.scope.split(' ').includes('offline_access')) {
      const prompt = typeof params.prompt === 'string' ? params.prompt.split(' ') : [];
      if (!prompt.includes('consent') && !prompt.includes('none')) params.prompt = [...prompt, 'consent'].join(' ');
    }
  }
  const challenge = params.code_challenge;
  const method = params.code_challenge_method;
  if (allowPlainPkce && typeof challenge === 'string' && (method === undefined || method === 'plain')) {
    // A malformed plain challenge is passed on as S256 so the provider rejects it with its own error.
    params.code_challenge = PKCE_VERIFIER.test(challenge) ? createHash('sha256').update(challenge).digest('base64url') : challenge;
    params.code_challenge_method = 'S256';
  }
}

/** Canonical scope names, unknown tokens dropped (seed 002 asks for `read`). */
export function normalizeScope(scope: string): string {
  return toScopeString(parseScopes(scope).scopes);
}
