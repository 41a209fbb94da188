/**
 * Topic on which the authorization service announces a Personal Representative who authorized an
 * app for a member, so that the FHIR service can serve them as the RelatedPerson the token's
 * `fhirUser` names. Keyed by `relatedPersonId` and compacted: each representative's event is kept.
 */
export const REPRESENTATIVE_RECORDED_TOPIC = 'authorization.representative.recorded.v1';

export const REPRESENTATIVE_RECORDED_EVENT_TYPE = 'authorization.representative.recorded';

/** The relationships a representative may state on the member pages (seed 002). */
export const REPRESENTATIVE_RELATIONSHIPS = ['parent_or_guardian_of_minor', 'healthcare_power_of_attorney', 'court_ordered_guardianship', 'other'] as const;
export type RepresentativeRelationship = (typeof REPRESENTATIVE_RELATIONSHIPS)[number];

/** The longest name or relationship text the member pages accept. */
export const MAX_REPRESENTATIVE_TEXT = 200;

/**
 * `authorization.representative.recorded.v1`: who acted for the member at consent, as given there.
 * The id is chosen by the authorization service when the member consents, so the token's
 * `fhirUser` (`RelatedPerson/<relatedPersonId>`) is known before the FHIR service has the resource.
 */
export interface RepresentativeRecordedEventV1 {
  type: typeof REPRESENTATIVE_RECORDED_EVENT_TYPE;
  version: 1;
  eventId: string;
  occurredAt: string;
  /** A UUID: the RelatedPerson's id. */
  relatedPersonId: string;
  /** The member (their Patient id) the representative acts for. */
  patientId: string;
  grantId: string;
  clientId: string;
  relationship: RepresentativeRelationship;
  /** The representative's own words when the relationship is `other`; null otherwise. */
  relationshipText: string | null;
  /** The representative's full name as typed on the member pages. */
  name: string;
}
