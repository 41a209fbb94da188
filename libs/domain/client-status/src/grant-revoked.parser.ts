import { decodeJson, FieldReader, UUID, type EventIssue, type EventRejection } from './field-reader';
import { GRANT_REVOCATION_REASONS, GRANT_REVOKED_EVENT_TYPE, type GrantRevokedEventV1 } from './grant-revoked.event';

export type GrantRevokedEventParseResult =
  | { readonly ok: true; readonly event: GrantRevokedEventV1 }
  | { readonly ok: false; readonly rejection: EventRejection };

/** Decodes a Kafka message value of `authorization.grant.revoked.v1`. */
export function decodeGrantRevokedEvent(bytes: Uint8Array | string): GrantRevokedEventParseResult {
  const decoded = decodeJson(bytes);
  return decoded.ok ? parseGrantRevokedEvent(decoded.value) : decoded;
}

/** Checks a JSON value against {@link GrantRevokedEventV1}, reporting every problem; unknown fields are dropped. */
export function parseGrantRevokedEvent(value: unknown): GrantRevokedEventParseResult {
  const issues: EventIssue[] = [];
  const root = FieldReader.of(value, '$', issues);
  if (root === undefined) return { ok: false, rejection: { code: 'invalid_event', issues } };
  root.literal('type', GRANT_REVOKED_EVENT_TYPE);
  root.literal('version', 1);
  const event: GrantRevokedEventV1 = {
    type: GRANT_REVOKED_EVENT_TYPE,
    version: 1,
    eventId: root.matching('eventId', UUID, 'a UUID'),
    occurredAt: root.instant('occurredAt'),
    grantId: root.text('grantId'),
    clientId: root.text('clientId'),
    reason: root.oneOf('reason', GRANT_REVOCATION_REASONS),
    expiresAt: root.instant('expiresAt'),
  };
  return issues.length > 0 ? { ok: false, rejection: { code: 'invalid_event', issues } } : { ok: true, event };
}
