import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseScopes, toScopeString } from '@payer-access/scopes';
import { createHash } from 'node:crypto';
import { StructuredTokenEndpoints } from '../tokens/structured-token.endpoints';
import type { OidcProviderHost } from './oidc-provider.host';

const FORM = 'application/x-www-form-urlencoded';
const BODY_LIMIT = 56 * 1024;
const MAX_REDIRECT_LENGTH = 8 * 1024;
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

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
 *   plain challenge is the challenge itself, so S256(verifier) then matches.
 */
export function providerMountMiddleware(host: OidcProviderHost, structured: StructuredTokenEndpoints, options: { allowPlainPkce: boolean }) {
  const { routes } = host;
  const exact = new Set([routes.authorization, routes.token, routes.revocation, routes.introspection, routes.jwks, routes.discovery]);
  const prefixes = [`${routes.authorization}/`];
  const isProviderPath = (path: string) => exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));

  return async (req: Request, res: ServerResponse, next: Next): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://internal');
    if (!isProviderPath(url.pathname) || !host.isStarted) return next();
    try {
      if (url.pathname === routes.authorization && req.method === 'GET') {
        const params = toParams(url.searchParams);
        normalizeAuthorizationParams(params, options.allowPlainPkce);
        req.url = `${url.pathname}?${toQuery(params)}`;
      } else if (req.method === 'POST' && isFormLike(req.headers['content-type'])) {
        // The provider only reads the body it recognises: name the seed's misspelt type correctly.
        req.headers['content-type'] = FORM;
        const needsBody = url.pathname === routes.authorization || url.pathname === routes.introspection || url.pathname === routes.revocation;
        if (needsBody) {
          const params = await readForm(req);
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

/** `application/x-www-form-urlencoded` and the seed's misspelling of it, any parameters. */
function isFormLike(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === FORM || type === 'application/x-www-formurlencoded';
}

async function readForm(req: Request): Promise<Record<string, string | string[]>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return toParams(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
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
