import type { RepresentativeRecordedEventV1 } from './representative-recorded.event';
import { isRepresentativeText, parseRepresentativeRecordedEvent } from './representative-recorded.parser';

const valid: RepresentativeRecordedEventV1 = {
  type: 'authorization.representative.recorded',
  version: 1,
  eventId: '0b7f3c0e-4a43-4f0e-9a2b-6f5d0c1e2a3b',
  occurredAt: '2026-12-01T14:00:00.000Z',
  relatedPersonId: '5d7c1e52-8f0a-4b8e-9a0e-4c1f6e2d3b4a',
  patientId: '-20140000008325',
  grantId: 'grant-1',
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  relationship: 'other',
  relationshipText: 'Adult daughter',
  name: 'Ana Doe',
};

describe(parseRepresentativeRecordedEvent.name, () => {
  it('accepts a well-formed event and drops unknown fields', () => {
    expect(parseRepresentativeRecordedEvent({ ...valid, extra: true })).toEqual({ ok: true, event: valid });
    const self = { ...valid, relationship: 'court_ordered_guardianship', relationshipText: null };
    expect(parseRepresentativeRecordedEvent(self)).toEqual({ ok: true, event: self });
  });

  it('reports every problem at once: wrong types, ids that are not ids, NUL bytes, oversized text', () => {
    const result = parseRepresentativeRecordedEvent({
      ...valid,
      version: 2,
      relatedPersonId: 'RelatedPerson/1',
      patientId: 'a/b',
      relationship: 'neighbour',
      relationshipText: 'x'.repeat(201),
      name: 'Ana\u0000Doe',
      grantId: 7,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.issues.map((issue) => issue.path).sort()).toEqual(['grantId', 'name', 'patientId', 'relatedPersonId', 'relationship', 'relationshipText', 'version']);
  });

  it("needs the representative's words for an 'other' relationship, and an object", () => {
    const result = parseRepresentativeRecordedEvent({ ...valid, relationshipText: null });
    expect(result.ok ? [] : result.rejection.issues.map((issue) => issue.path)).toEqual(['relationshipText']);
    expect(parseRepresentativeRecordedEvent('Ana Doe').ok).toBe(false);
    expect(parseRepresentativeRecordedEvent(null).ok).toBe(false);
  });
});

describe(isRepresentativeText.name, () => {
  it('takes printable text up to 200 characters', () => {
    expect(isRepresentativeText('Zoë O\u2019Brien-Łukasz')).toBe(true);
    expect(isRepresentativeText('x'.repeat(200))).toBe(true);
    expect(isRepresentativeText('x'.repeat(201))).toBe(false);
    expect(isRepresentativeText('tab\there')).toBe(false);
    expect(isRepresentativeText('   ')).toBe(false);
  });
});
