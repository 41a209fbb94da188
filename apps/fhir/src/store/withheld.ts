import type { SearchParameterDefinition } from '@payer-access/fhir-models';

/**
 * What a member chose to keep from an app at consent, carried by the grant's token. The store
 * applies it with the compartment, to reads, searches, includes, totals and pages alike, so no
 * answer depends on withheld data.
 */
export interface Withholding {
  /** Patient demographics and identifiers (seed 002: "the choice to withhold demographic data"). */
  readonly demographics: boolean;
  /** Resources carrying a sensitivity label (42 CFR Part 2, HIV, mental health...): absent. */
  readonly sensitive: boolean;
}

export const WITHHOLD_NOTHING: Withholding = Object.freeze({ demographics: false, sensitive: false });

/**
 * Patient elements removed when demographics are withheld. Identifiers (the beneficiary id, the
 * HICN hash) name the member as surely as a name does; the narrative and contained resources
 * repeat the rest.
 */
const WITHHELD_PATIENT_ELEMENTS: ReadonlySet<string> = new Set([
  'identifier',
  'text',
  'contained',
  'name',
  'telecom',
  'gender',
  'birthDate',
  'address',
  'maritalStatus',
  'photo',
  'contact',
  'communication',
  'extension',
  'modifierExtension',
  'multipleBirthBoolean',
  'multipleBirthInteger',
  'deceasedBoolean',
  'deceasedDateTime',
  'generalPractitioner',
  'link',
]);

/** A search on an element the grant withholds: refused whatever its value, so no answer reveals it. */
export class WithheldSearchError extends Error {
  constructor(readonly parameter: string) {
    super(`The search parameter '${parameter}' is not available for this grant: the member withheld the data it searches`);
    this.name = 'WithheldSearchError';
  }
}

/** Whether a Patient search parameter reads an element that withheld demographics remove. */
export function searchesWithheldElement(resourceType: string, definition: SearchParameterDefinition): boolean {
  if (resourceType !== 'Patient') return false;
  return definition.expression.split('|').some((path) => {
    const match = /^\s*\(?\s*Patient\.([A-Za-z]+)/.exec(path);
    return match !== null && [...WITHHELD_PATIENT_ELEMENTS].some((element) => element === match[1] || element.startsWith(match[1]));
  });
}

/**
 * The Patient JSON without its withheld elements, tagged REDACTED so a client knows elements were
 * removed rather than absent. https://hl7.org/fhir/R4/v3/ObservationValue/cs.html#v3-ObservationValue-REDACTED
 */
export function withoutDemographics(json: string): string {
  const patient = JSON.parse(json) as Record<string, unknown> & { meta?: { security?: unknown[] } };
  for (const element of WITHHELD_PATIENT_ELEMENTS) delete patient[element];
  const security = [
    ...(Array.isArray(patient.meta?.security) ? patient.meta.security : []),
    { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED', display: 'redacted' },
  ];
  return JSON.stringify({ ...patient, meta: { ...patient.meta, security } });
}
