import { FieldReader, UUID, type EventIssue, type EventRejection } from './field-reader';
import {
  MAX_REPRESENTATIVE_TEXT,
  REPRESENTATIVE_RECORDED_EVENT_TYPE,
  REPRESENTATIVE_RELATIONSHIPS,
  type RepresentativeRecordedEventV1,
} from './representative-recorded.event';

export type RepresentativeRecordedEventParseResult =
  | { readonly ok: true; readonly event: RepresentativeRecordedEventV1 }
  | { readonly ok: false; readonly rejection: EventRejection };

/** Control characters (NUL included) have no place in a name, and PostgreSQL text cannot hold NUL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Whether text typed by a person may travel and be stored as a representative's name or relationship. */
export function isRepresentativeText(value: string): boolean {
  return value.trim().length > 0 && value.length <= MAX_REPRESENTATIVE_TEXT && !CONTROL.test(value);
}

/**
 * Checks a JSON value against {@link RepresentativeRecordedEventV1}, reporting every problem;
 * unknown fields are dropped. `patientId` follows the FHIR id rules, as it becomes a reference.
 */
export function parseRepresentativeRecordedEvent(value: unknown): RepresentativeRecordedEventParseResult {
  const issues: EventIssue[] = [];
  const root = FieldReader.of(value, '$', issues);
  if (root === undefined) return { ok: false, rejection: { code: 'invalid_event', issues } };
  root.literal('type', REPRESENTATIVE_RECORDED_EVENT_TYPE);
  root.literal('version', 1);
  const relationship = root.oneOf('relationship', REPRESENTATIVE_RELATIONSHIPS);
  const relationshipText = root.nullableText('relationshipText');
  const name = root.text('name');
  const event: RepresentativeRecordedEventV1 = {
    type: REPRESENTATIVE_RECORDED_EVENT_TYPE,
    version: 1,
    eventId: root.matching('eventId', UUID, 'a UUID'),
    occurredAt: root.instant('occurredAt'),
    relatedPersonId: root.matching('relatedPersonId', UUID, 'a UUID'),
    patientId: root.matching('patientId', /^[A-Za-z0-9\-.]{1,64}$/, 'a FHIR id'),
    grantId: root.text('grantId'),
    clientId: root.text('clientId'),
    relationship,
    relationshipText,
    name,
  };
  if (name && !isRepresentativeText(name)) root.report('name', `must be at most ${MAX_REPRESENTATIVE_TEXT} characters without control characters`);
  if (relationshipText !== null && relationshipText && !isRepresentativeText(relationshipText)) {
    root.report('relationshipText', `must be at most ${MAX_REPRESENTATIVE_TEXT} characters without control characters`);
  }
  if (relationship === 'other' && relationshipText === null) root.report('relationshipText', 'must describe an "other" relationship');
  return issues.length > 0 ? { ok: false, rejection: { code: 'invalid_event', issues } } : { ok: true, event };
}
