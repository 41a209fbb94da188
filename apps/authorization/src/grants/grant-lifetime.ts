import { type DataAccessType, refreshableUntil } from '@payer-access/client-status';
import type { AuthorizationConfig } from '../authorization.config';

type LifetimeConfig = Pick<AuthorizationConfig, 'ACCESS_TOKEN_TTL_SECONDS' | 'AUTHORIZATION_CODE_TTL_SECONDS'>;

/**
 * A research grant has no end date; the provider's Grant needs a lifetime, so it gets one no
 * app will outlive. Its refresh tokens still lapse after REFRESH_TOKEN_TTL_SECONDS unused.
 */
export const RESEARCH_GRANT_TTL_SECONDS = 100 * 366 * 24 * 3600;

/**
 * The one rule for how long a grant made at `createdAt` (by the injectable Clock) lasts, by the
 * app's data-access type:
 * - `accessExpiresAt`: when access ends, as the consent and connected-apps pages and
 *   `access_grant_expiration` state it: 13 calendar months after consent; for a one-time grant,
 *   known only at its code exchange (null here); none for research.
 * - `expiresAt`: when the grant itself ends (the provider's Grant, `member_grant.expires_at`):
 *   the same end for a 13-month grant, since no token of it outlives the grant
 *   ({@link withinGrant}); for a one-time grant, when its code would have run out and its
 *   access token after it; none for research.
 */
export function grantLifetime(type: DataAccessType, createdAt: Date, config: LifetimeConfig): { accessExpiresAt: Date | null; expiresAt: Date | null } {
  if (type === 'one_time') {
    return { accessExpiresAt: null, expiresAt: new Date(createdAt.getTime() + (config.AUTHORIZATION_CODE_TTL_SECONDS + config.ACCESS_TOKEN_TTL_SECONDS) * 1000) };
  }
  const accessExpiresAt = refreshableUntil(type, createdAt);
  return { accessExpiresAt, expiresAt: accessExpiresAt };
}

/** Seconds the provider keeps a grant made at `now` (the Clock's): until {@link grantLifetime}'s end. */
export function grantTtlSeconds(type: DataAccessType, now: Date, config: LifetimeConfig): number {
  const { expiresAt } = grantLifetime(type, now, config);
  return expiresAt ? Math.ceil((expiresAt.getTime() - now.getTime()) / 1000) : RESEARCH_GRANT_TTL_SECONDS;
}

/**
 * A token's lifetime cut so that it ends with its grant (`grantExp`, epoch seconds, absent when
 * the token has no grant): the provider's own expiry of tokens, so the grant's end is the end of
 * access. At least one second, as the provider requires.
 */
export function withinGrant(ttlSeconds: number, grantExp: number | undefined, nowSeconds: number): number {
  if (!grantExp) return ttlSeconds;
  return Math.max(1, Math.min(ttlSeconds, grantExp - nowSeconds));
}
