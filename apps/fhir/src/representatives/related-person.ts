import type { RelatedPerson } from '@medplum/fhirtypes';
import type { RepresentativeRecordedEventV1, RepresentativeRelationship } from '@payer-access/client-status';

export const C4BB_RELATED_PERSON = 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-RelatedPerson';
/** C4BB 2.x asks for the profile's major.minor version in `meta.profile`. */
const C4BB_VERSION = '2.1.0';
const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const CONTACT_ROLE = 'http://terminology.hl7.org/CodeSystem/v2-0131';

/**
 * The member pages' relationships as codes of RelatedPerson.relationship's value set (v3 RoleCode,
 * v2 contact role for "other"), with the words the member pages showed as the text.
 * https://hl7.org/fhir/R4/valueset-relatedperson-relationshiptype.html
 */
const RELATIONSHIP_CODES: Readonly<Record<RepresentativeRelationship, { system: string; code: string; display: string; text: string }>> = {
  parent_or_guardian_of_minor: { system: ROLE_CODE, code: 'GUARD', display: 'guardian', text: 'Parent or guardian of a minor' },
  healthcare_power_of_attorney: { system: ROLE_CODE, code: 'HPOWATT', display: 'healthcare power of attorney', text: 'Active healthcare power of attorney' },
  court_ordered_guardianship: { system: ROLE_CODE, code: 'GUARD', display: 'guardian', text: 'Court ordered guardianship' },
  other: { system: CONTACT_ROLE, code: 'O', display: 'Other', text: 'Other' },
};

/**
 * The RelatedPerson a Personal Representative is on the FHIR API (CARIN C4BB-RelatedPerson): in
 * the member's compartment through `patient`, with the relationship coded and the name exactly as
 * typed at consent (`name.text`: a name is not split into parts the person did not give).
 * https://hl7.org/fhir/us/carin-bb/StructureDefinition-C4BB-RelatedPerson.html
 */
export function relatedPersonOf(event: RepresentativeRecordedEventV1): RelatedPerson {
  const { text, ...coding } = RELATIONSHIP_CODES[event.relationship];
  return {
    resourceType: 'RelatedPerson',
    id: event.relatedPersonId,
    meta: { lastUpdated: event.occurredAt, profile: [`${C4BB_RELATED_PERSON}|${C4BB_VERSION}`] },
    active: true,
    patient: { reference: `Patient/${event.patientId}` },
    relationship: [{ coding: [coding], text: event.relationship === 'other' && event.relationshipText ? event.relationshipText : text }],
    name: [{ text: event.name }],
  };
}
