import { Injectable } from '@nestjs/common';
import { GRANT_REVOCATION_REASONS, type GrantRevocationReason } from '@payer-access/client-status';
import { ServiceMetrics } from '@payer-access/http';
import type { Counter } from 'prom-client';

/** Grant types the provider serves; anything a client sends beyond these is counted as `other`. */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const TOKEN_TYPES = ['access_token', 'refresh_token', 'id_token'] as const;

/** Token endpoint error codes (RFC 6749 §5.2, RFC 8707, RFC 9449); any other is counted as `other`. */
const TOKEN_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'invalid_dpop_proof',
  'use_dpop_nonce',
  'server_error',
  'temporarily_unavailable',
]);

/**
 * The authorization service's own Prometheus series: tokens issued, token endpoint errors and grant
 * revocations. Labels are bounded sets (grant type, token type, RFC error code, revocation reason):
 * never a client, member, grant or token.
 */
@Injectable()
export class AuthorizationMetrics {
  private readonly issued: Counter<'grant_type' | 'token_type'>;
  private readonly errors: Counter<'grant_type' | 'error'>;
  private readonly revocations: Counter<'reason'>;

  constructor(private readonly metrics: ServiceMetrics) {
    this.issued = metrics.counter('oauth_tokens_issued_total', 'Tokens issued by the token endpoint, by grant type and token type.', ['grant_type', 'token_type']);
    this.errors = metrics.counter('oauth_token_errors_total', 'Token endpoint requests refused, by grant type and OAuth error code.', ['grant_type', 'error']);
    this.revocations = metrics.counter(
      'oauth_grant_revocations_total',
      'Grants revoked (their codes and refresh tokens deleted, authorization.grant.revoked.v1 published), by reason.',
      ['reason'],
    );
    // Known series start at 0, so that rates and alerts see them before the first event.
    for (const grantType of ['authorization_code', 'refresh_token'] as const) {
      for (const tokenType of TOKEN_TYPES) this.issued.inc({ grant_type: grantType, token_type: tokenType }, 0);
    }
    this.issued.inc({ grant_type: 'client_credentials', token_type: 'access_token' }, 0);
    for (const grantType of GRANT_TYPES) {
      for (const error of ['invalid_grant', 'invalid_client']) this.errors.inc({ grant_type: grantType, error }, 0);
    }
    for (const reason of GRANT_REVOCATION_REASONS) this.revocations.inc({ reason }, 0);
  }

  /** The age of the client projection, read at each scrape (infinite before registration's first heartbeat). */
  clientStatusViewAge(ageMs: () => number): void {
    this.metrics.gauge(
      'client_status_view_age_seconds',
      "How old this service's view of client statuses is: seconds since the watermark of registration's last heartbeat it applied (+Inf before the first).",
      [],
      async (gauge) => void gauge.set(ageMs() / 1000),
    );
  }

  /** One successful token response: each token it carries. */
  tokenResponse(grantType: unknown, body: unknown): void {
    if (!body || typeof body !== 'object') return;
    const grant_type = boundedGrantType(grantType);
    for (const token_type of TOKEN_TYPES) {
      if (typeof (body as Record<string, unknown>)[token_type] === 'string') this.issued.inc({ grant_type, token_type });
    }
  }

  tokenError(grantType: unknown, error: string): void {
    this.errors.inc({ grant_type: boundedGrantType(grantType), error: TOKEN_ERRORS.has(error) ? error : 'other' });
  }

  grantRevoked(reason: GrantRevocationReason): void {
    this.revocations.inc({ reason });
  }
}

function boundedGrantType(value: unknown): string {
  return (GRANT_TYPES as readonly unknown[]).includes(value) ? (value as string) : 'other';
}
