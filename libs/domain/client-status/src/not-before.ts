/**
 * A client's not-before: the instant (ms since the epoch) before which every credential issued to
 * it — access token, refresh token, authorization code — is void, whatever its status is now. It
 * is set by the client's suspensions and terminations and only ever moves later, so that a
 * reinstatement can never revive a credential issued before the suspension.
 */
export type ClientNotBefore = number | undefined;

/**
 * Whether a credential issued at `issuedAtSeconds` (its `iat`, whole seconds) is void under the
 * client's not-before. `iat` drops the milliseconds, so every credential issued before the
 * not-before is void, and so is one issued later in the same second unless the not-before falls on
 * a whole second; one without a usable `iat` is void whenever a not-before is set.
 */
export function issuedBeforeNotBefore(notBefore: ClientNotBefore, issuedAtSeconds: unknown): boolean {
  if (notBefore === undefined) return false;
  if (typeof issuedAtSeconds !== 'number' || !Number.isFinite(issuedAtSeconds)) return true;
  return issuedAtSeconds * 1000 < notBefore;
}

/** The later of not-befores (undefined when none is set): a not-before never moves back. */
export function laterNotBefore(...values: ClientNotBefore[]): ClientNotBefore {
  let later: ClientNotBefore;
  for (const value of values) if (value !== undefined && Number.isFinite(value) && (later === undefined || value > later)) later = value;
  return later;
}
