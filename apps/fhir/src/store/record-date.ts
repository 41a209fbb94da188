import type { Resource } from '@medplum/fhirtypes';

/**
 * Where each type keeps the date the payer look-back counts from: when the care or the claim
 * happened (the end of a period first, so a claim straddling the limit is kept), then when it was
 * recorded. A type not listed, or a resource without any of these, has no date and is not limited.
 */
const DATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  ExplanationOfBenefit: ['billablePeriod.end', 'billablePeriod.start', 'created'],
  Claim: ['billablePeriod.end', 'billablePeriod.start', 'created'],
  ClaimResponse: ['created'],
  Coverage: ['period.end'],
  Encounter: ['period.end', 'period.start'],
  Observation: ['effectiveDateTime', 'effectivePeriod.end', 'effectivePeriod.start', 'effectiveInstant', 'issued'],
  DiagnosticReport: ['effectiveDateTime', 'effectivePeriod.end', 'effectivePeriod.start', 'issued'],
  Condition: ['abatementDateTime', 'recordedDate', 'onsetDateTime', 'onsetPeriod.start'],
  Procedure: ['performedDateTime', 'performedPeriod.end', 'performedPeriod.start'],
  Immunization: ['occurrenceDateTime', 'recorded'],
  MedicationRequest: ['authoredOn'],
  MedicationDispense: ['whenHandedOver', 'whenPrepared'],
  AllergyIntolerance: ['lastOccurrence', 'recordedDate', 'onsetDateTime'],
  CarePlan: ['period.end', 'period.start', 'created'],
  CareTeam: ['period.end', 'period.start'],
  DocumentReference: ['date', 'context.period.end', 'context.period.start'],
  Goal: ['statusDate', 'startDate'],
  ServiceRequest: ['occurrenceDateTime', 'authoredOn'],
};

/** The resource's own date for the payer look-back, or undefined when it has none the store knows. */
export function recordDateOf(resource: Resource): Date | undefined {
  for (const path of DATE_PATHS[resource.resourceType] ?? []) {
    let value: unknown = resource;
    for (const step of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
    const date = parseFhirDate(value);
    if (date) return date;
  }
  return undefined;
}

/** A FHIR date, dateTime or instant as its first instant (partial dates too: `2019`, `2019-07`). */
export function parseFhirDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?$/.exec(value);
  if (!match) return undefined;
  const [, year, month = '01', day = '01', time] = match;
  const date = new Date(time ? value : `${year}-${month}-${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (!time && date.toISOString().slice(0, 10) !== `${year}-${month}-${day}`) return undefined;
  return date;
}
