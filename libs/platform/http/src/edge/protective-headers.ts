import type { NextFunction, Request, Response } from 'express';

export interface ProtectiveHeadersOptions {
  /** `Strict-Transport-Security` max-age; 0 or unset sends none (plain-HTTP sandbox). */
  hstsMaxAgeSeconds?: number;
  /** Every response of the service may carry health data: `Cache-Control: no-store` unless a route says otherwise. */
  noStore?: boolean;
}

/**
 * Headers every response of a service carries, set before any route runs so that error answers
 * and pages mounted outside Nest (the OAuth engine) get them too. A route may still replace
 * `Cache-Control` when what it serves is public (a capability statement, discovery).
 */
export function protectiveHeaders(options: ProtectiveHeadersOptions) {
  const hsts = options.hstsMaxAgeSeconds ? `max-age=${Math.floor(options.hstsMaxAgeSeconds)}; includeSubDomains` : undefined;
  return (_request: Request, response: Response, next: NextFunction): void => {
    // Browsers must not guess a script or a page out of a JSON answer that echoes client text.
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (hsts) response.setHeader('Strict-Transport-Security', hsts);
    // RFC 6749 §5.1 and the FHIR security page: responses with health data are not cached anywhere.
    if (options.noStore) response.setHeader('Cache-Control', 'no-store');
    next();
  };
}
