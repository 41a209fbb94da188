import type { RepresentativeRecordedEventV1 } from '@payer-access/client-status';
import { relatedPersonOf } from './related-person';

const event: RepresentativeRecordedEventV1 = {
  type: 'authorization.representative.recorded',
  version: 1,
  eventId: '0b7f3c0e-4a43-4f0e-9a2b-6f5d0c1e2a3b',
  occurredAt: '2026-12-01T14:00:00.000Z',
  relatedPersonId: '5d7c1e52-8f0a-4b8e-9a0e-4c1f6e2d3b4a',
  patientId: '-20140000008325',
  grantId: 'grant-1',
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  relationship: 'healthcare_power_of_attorney',
  relationshipText: null,
  name: 'María José van der Berg',
};

describe(relatedPersonOf.name, () => {
  it('is a C4BB-RelatedPerson in the member compartment with the coded relationship and the name as typed', () => {
    expect(relatedPersonOf(event)).toEqual({
      resourceType: 'RelatedPerson',
      id: event.relatedPersonId,
      meta: { lastUpdated: event.occurredAt, profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-RelatedPerson|2.1.0'] },
      active: true,
      patient: { reference: 'Patient/-20140000008325' },
      relationship: [
        {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'HPOWATT', display: 'healthcare power of attorney' }],
          text: 'Active healthcare power of attorney',
        },
      ],
      name: [{ text: 'María José van der Berg' }],
    });
  });

  it("keeps the representative's own words for an 'other' relationship", () => {
    const other = relatedPersonOf({ ...event, relationship: 'other', relationshipText: 'Adult daughter and caregiver' });
    expect(other.relationship).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'O', display: 'Other' }], text: 'Adult daughter and caregiver' }]);
  });
});
