import type { DataAccessType } from '@payer-access/client-status';
import { escapeHtml } from '../interaction/pages/layout';

/** The date members read, in UTC like every instant the platform states. */
export function formatAccessEnd(end: Date): string {
  return end.toLocaleDateString('en-US', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });
}

/**
 * How long an app's access lasts, in the words the consent and connected-apps pages share, as
 * HTML. The machine-readable instant rides along in `<time datetime>`, the same ISO 8601 value
 * the token response carries as `access_grant_expiration`.
 */
export function describeAccessEnd(type: DataAccessType, end: Date | null): string {
  if (end) {
    const until = `<time datetime="${escapeHtml(end.toISOString())}">${escapeHtml(formatAccessEnd(end))}</time>`;
    return type === 'one_time' ? `one time only, until ${until}` : `until ${until}`;
  }
  return type === 'one_time' ? 'one time only' : 'until you revoke it';
}
