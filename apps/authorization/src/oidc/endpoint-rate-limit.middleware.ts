import type { ServerResponse } from 'node:http';
import { type RateLimitRule, RateLimiter, rateLimitHeaders } from '@payer-access/http';
import type { Request } from 'express';
import type { AuthorizationConfig } from '../authorization.config';
import { clientAddress } from '../members/member-accounts.service';
import type { OidcRoutes } from './oidc-routes';
import { isFormLike, readForm } from './provider-mount.middleware';

type Next = (error?: unknown) => void;
type Limits = Pick<AuthorizationConfig, 'TOKEN_RATE_LIMIT_PER_CLIENT' | 'TOKEN_RATE_LIMIT_PER_ADDRESS' | 'TOKEN_RATE_LIMIT_WINDOW_SECONDS'>;

/**
 * Request rate limits on the endpoints where clients authenticate (token, introspection,
 * revocation), per client address and per client_id, ahead of any secret check: a flood is refused
 * before it costs a hash or a database round trip. Every answer carries `X-RateLimit-*`; a refusal
 * is `429` with `Retry-After` and an OAuth error body (RFC 6749 §5.2 shape). Counters are per
 * instance (see RateLimiter).
 *
 * The client_id comes from HTTP Basic or from the form; the form is read here once and handed on as
 * `req.body`, which both the provider and providerMountMiddleware then use.
 */
export function endpointRateLimitMiddleware(routes: OidcRoutes, limits: Limits, limiter = new RateLimiter()) {
  const names = new Map([
    [routes.token, 'token'],
    [routes.introspection, 'introspection'],
    [routes.revocation, 'revocation'],
  ]);
  const window = limits.TOKEN_RATE_LIMIT_WINDOW_SECONDS;

  return async (req: Request, res: ServerResponse, next: Next): Promise<void> => {
    const name = req.method === 'POST' ? names.get(new URL(req.url ?? '/', 'http://internal').pathname) : undefined;
    if (!name) return next();
    let clientId = basicClientId(req.headers.authorization);
    if (clientId === undefined && isFormLike(req.headers['content-type'])) {
      try {
        const form = await readForm(req);
        req.body = form;
        if (typeof form.client_id === 'string') clientId = form.client_id;
      } catch {
        return send(res, 400, { error: 'invalid_request', error_description: 'the request body could not be read' });
      }
    }
    const rules: RateLimitRule[] = [{ name: `${name}:address`, key: clientAddress(req), limit: limits.TOKEN_RATE_LIMIT_PER_ADDRESS, windowSeconds: window }];
    if (clientId) rules.push({ name: `${name}:client`, key: clientId, limit: limits.TOKEN_RATE_LIMIT_PER_CLIENT, windowSeconds: window });
    const decision = await limiter.consume(rules);
    if (decision) for (const [header, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(header, value);
    if (decision && !decision.allowed) {
      return send(res, 429, { error: 'temporarily_unavailable', error_description: `too many requests; retry after ${decision.resetSeconds} seconds` });
    }
    next();
  };
}

/** The client_id of an HTTP Basic header (RFC 6749 §2.3.1: form-encoded), if any. */
function basicClientId(authorization: string | undefined): string | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const index = decoded.indexOf(':');
  if (index <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, index).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: { error: string; error_description: string }): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}
