/**
 * Top-level elements with a minimum cardinality of 1 in the R4 definitions of the served types.
 * `_elements` keeps them whatever is asked, as R4 advises, so a subsetted resource stays valid.
 * A trailing `[x]` stands for every type of a choice element. https://hl7.org/fhir/R4/search.html#elements
 */
export const MANDATORY_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  AllergyIntolerance: ['patient'],
  CarePlan: ['status', 'intent', 'subject'],
  Condition: ['subject'],
  Coverage: ['status', 'beneficiary', 'payor'],
  DiagnosticReport: ['status', 'code'],
  DocumentReference: ['status', 'content'],
  Encounter: ['status', 'class'],
  ExplanationOfBenefit: ['status', 'type', 'use', 'patient', 'created', 'insurer', 'provider', 'outcome', 'insurance'],
  Goal: ['lifecycleStatus', 'description', 'subject'],
  Immunization: ['status', 'vaccineCode', 'patient', 'occurrence[x]'],
  MedicationRequest: ['status', 'intent', 'medication[x]', 'subject'],
  Observation: ['status', 'code'],
  Procedure: ['status', 'subject'],
  RelatedPerson: ['patient'],
};

/** Whether a top-level element of `resourceType` must be kept. */
export function isMandatory(resourceType: string, element: string): boolean {
  return (MANDATORY_ELEMENTS[resourceType] ?? []).some((name) =>
    name.endsWith('[x]') ? element.startsWith(name.slice(0, -3)) && /^[A-Z]/.test(element.slice(name.length - 3)) : element === name,
  );
}
