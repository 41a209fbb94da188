import type { NextFunction, Request, Response } from 'express';

/** What the API serves: reads and searches. */
const METHODS = 'GET, HEAD, OPTIONS';
const HEADERS = 'Authorization, Content-Type';
const EXPOSED = 'Location, ETag, Content-Location, Last-Modified';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for browser SMART apps on their own origins (the CapabilityStatement says `cors: true`).
 * Requests carry a bearer token, never cookies, so any origin may call and credentials are not
 * allowed: a page can only send a token it already holds. Preflights are answered here for every
 * path, before routing and authentication, since a browser sends them without the token.
 * https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function fhirCors() {
  return (request: Request, response: Response, next: NextFunction): void => {
    const origin = request.headers.origin;
    if (origin === undefined) return next();
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      response.setHeader('Access-Control-Allow-Methods', METHODS);
      response.setHeader('Access-Control-Allow-Headers', HEADERS);
      response.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      response.setHeader('Content-Length', '0');
      response.statusCode = 204;
      response.end();
      return;
    }
    response.setHeader('Access-Control-Expose-Headers', EXPOSED);
    next();
  };
}
