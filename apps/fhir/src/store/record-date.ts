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

/**
 * Security labels that make a resource sensitive: a member's consent to non-sensitive data only
 * (HRex `#sensitive`) keeps them from the payer. Restricted / very restricted confidentiality and
 * the sensitivity categories of HL7 v3 ActCode (substance use, HIV, mental health, sexual and
 * reproductive health, genetics, violence).
 * https://terminology.hl7.org/CodeSystem-v3-ActCode.html#v3-ActCode-_InformationSensitivityPolicy
 */
const SENSITIVE_LABELS: ReadonlySet<string> = new Set([
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R',
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|V',
  ...['ETH', 'ETHUD', 'OPIOIDUD', 'HIV', 'PSY', 'PSYTHPN', 'MH', 'SDV', 'SEX', 'STD', 'GDIS', 'SICKLE', 'SUD', 'BH', 'DV'].map(
    (code) => `http://terminology.hl7.org/CodeSystem/v3-ActCode|${code}`,
  ),
]);

export function isSensitive(resource: Resource): boolean {
  // Stored data comes from outside: a `security` that is not a list of codings marks nothing.
  const security: unknown = resource.meta?.security;
  if (!Array.isArray(security)) return false;
  return security.some((coding: { system?: unknown; code?: unknown } | null) => typeof coding === 'object' && coding !== null && SENSITIVE_LABELS.has(`${String(coding.system)}|${String(coding.code)}`));
}
