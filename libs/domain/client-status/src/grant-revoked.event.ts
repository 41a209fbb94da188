/** Topic on which the authorization service announces revoked grants (deleted after the longest token lifetime). */
export const GRANT_REVOKED_TOPIC = 'authorization.grant.revoked.v1';

/** Why a grant stopped working; each maps to a path in the authorization service. */
export const GRANT_REVOCATION_REASONS = [
  'member_revoked', // the member disconnected the app
  'client_revoked', // the app called the revocation endpoint (RFC 7009)
  'client_suspended', // registration suspended the client
  'client_terminated', // registration terminated the client
  'code_replayed', // an authorization code was used twice (RFC 6749 §4.1.2)
  'refresh_token_replayed', // a rotated refresh token was presented again
] as const;
export type GrantRevocationReason = (typeof GRANT_REVOCATION_REASONS)[number];

/**
 * `authorization.grant.revoked.v1`, keyed by `grantId`. Resource servers deny every access
 * token carrying this `grant_id` claim until `expiresAt` (after which no such token is valid anyway).
 */
export interface GrantRevokedEventV1 {
  type: typeof GRANT_REVOKED_EVENT_TYPE;
  version: 1;
  eventId: string;
  occurredAt: string;
  grantId: string;
  clientId: string;
  reason: GrantRevocationReason;
  /** ISO instant after which the denylist entry may be dropped: the longest lifetime of a token of this grant. */
  expiresAt: string;
}

export const GRANT_REVOKED_EVENT_TYPE = 'authorization.grant.revoked';
