/**
 * How long a member's authorization of an app lasts, as Blue Button 2.0 registers it for each
 * app: the plan decides at registration, the member sees it at consent.
 * - `one_time`: no refresh token; access ends with the first access token.
 * - `thirteen_month`: refresh stops 13 months after the member authorized; the member must
 *   authorize again.
 * - `research`: no end date (the member can still revoke it).
 */
export const DATA_ACCESS_TYPES = ['one_time', 'thirteen_month', 'research'] as const;

export type DataAccessType = (typeof DATA_ACCESS_TYPES)[number];

/** What a registration that never chose gets (Blue Button's default). */
export const DEFAULT_DATA_ACCESS_TYPE: DataAccessType = 'thirteen_month';

export const THIRTEEN_MONTHS = 13;

export function isDataAccessType(value: unknown): value is DataAccessType {
  return typeof value === 'string' && (DATA_ACCESS_TYPES as readonly string[]).includes(value);
}

/**
 * The instant a grant authorized at `authorizedAt` stops being refreshable: 13 calendar months
 * later for `thirteen_month` (a day missing from the target month clamps to its last day, so
 * 31 January becomes the end of February), none for `research`. A one-time grant ends with its
 * access token, which only the token endpoint knows, so it has no end here either.
 */
export function refreshableUntil(type: DataAccessType, authorizedAt: Date): Date | null {
  if (type !== 'thirteen_month') return null;
  return addCalendarMonths(authorizedAt, THIRTEEN_MONTHS);
}

/** Adds months in UTC, clamping the day to the target month's length. */
export function addCalendarMonths(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = new Date(from.getTime());
  result.setUTCFullYear(year, month, Math.min(from.getUTCDate(), lastDay));
  return result;
}
