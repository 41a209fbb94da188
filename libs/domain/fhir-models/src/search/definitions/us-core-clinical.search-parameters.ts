import type { ResourceType } from '@medplum/fhirtypes';
import type { SearchParameterDefinition, SearchParameterType } from '../search-parameter.model';

const US_CORE = 'http://hl7.org/fhir/us/core/SearchParameter';

/**
 * One US Core SearchParameter: its canonical id is `us-core-<type>-<code>` in lower case.
 * US Core states these per-resource expressions (e.g. `Observation.subject.where(resolve() is
 * Patient)`) where the base spec shares one multi-resource `clinical-*` parameter.
 */
function usCore(
  base: ResourceType,
  code: string,
  type: SearchParameterType,
  expression: string,
  target?: readonly ResourceType[],
): SearchParameterDefinition {
  const definition = { code, type, base: [base], expression, url: `${US_CORE}/us-core-${base.toLowerCase()}-${code}` };
  return target ? { ...definition, target } : definition;
}

/**
 * The patient-scoped searches of the US Core clinical profiles the FHIR service serves.
 * https://hl7.org/fhir/us/core/CapabilityStatement-us-core-server.html
 */
export const US_CORE_CLINICAL_SEARCH_PARAMETERS: readonly SearchParameterDefinition[] = [
  usCore('AllergyIntolerance', 'patient', 'reference', 'AllergyIntolerance.patient', ['Patient']),
  usCore('AllergyIntolerance', 'clinical-status', 'token', 'AllergyIntolerance.clinicalStatus'),

  usCore('CarePlan', 'patient', 'reference', 'CarePlan.subject.where(resolve() is Patient)', ['Patient']),
  usCore('CarePlan', 'category', 'token', 'CarePlan.category'),
  usCore('CarePlan', 'date', 'date', 'CarePlan.period'),
  usCore('CarePlan', 'status', 'token', 'CarePlan.status'),

  usCore('CareTeam', 'patient', 'reference', 'CareTeam.subject.where(resolve() is Patient)', ['Patient']),
  usCore('CareTeam', 'status', 'token', 'CareTeam.status'),

  usCore('Condition', 'patient', 'reference', 'Condition.subject.where(resolve() is Patient)', ['Patient']),
  usCore('Condition', 'category', 'token', 'Condition.category'),
  usCore('Condition', 'code', 'token', 'Condition.code'),
  usCore('Condition', 'clinical-status', 'token', 'Condition.clinicalStatus'),
  usCore('Condition', 'onset-date', 'date', 'Condition.onset.as(dateTime)|Condition.onset.as(Period)'),

  usCore('DiagnosticReport', 'patient', 'reference', 'DiagnosticReport.subject.where(resolve() is Patient)', [
    'Patient',
  ]),
  usCore('DiagnosticReport', 'category', 'token', 'DiagnosticReport.category'),
  usCore('DiagnosticReport', 'code', 'token', 'DiagnosticReport.code'),
  usCore('DiagnosticReport', 'date', 'date', 'DiagnosticReport.effective'),
  usCore('DiagnosticReport', 'status', 'token', 'DiagnosticReport.status'),

  usCore('DocumentReference', 'patient', 'reference', 'DocumentReference.subject.where(resolve() is Patient)', [
    'Patient',
  ]),
  usCore('DocumentReference', 'category', 'token', 'DocumentReference.category'),
  usCore('DocumentReference', 'type', 'token', 'DocumentReference.type'),
  usCore('DocumentReference', 'date', 'date', 'DocumentReference.date'),
  usCore('DocumentReference', 'period', 'date', 'DocumentReference.context.period'),
  usCore('DocumentReference', 'status', 'token', 'DocumentReference.status'),

  usCore('Encounter', 'patient', 'reference', 'Encounter.subject.where(resolve() is Patient)', ['Patient']),
  usCore('Encounter', 'identifier', 'token', 'Encounter.identifier'),
  usCore('Encounter', 'class', 'token', 'Encounter.class'),
  usCore('Encounter', 'type', 'token', 'Encounter.type'),
  usCore('Encounter', 'date', 'date', 'Encounter.period'),
  usCore('Encounter', 'status', 'token', 'Encounter.status'),

  usCore('Goal', 'patient', 'reference', 'Goal.subject.where(resolve() is Patient)', ['Patient']),
  usCore('Goal', 'lifecycle-status', 'token', 'Goal.lifecycleStatus'),
  usCore('Goal', 'target-date', 'date', '(Goal.target.due as date)'),

  usCore('Immunization', 'patient', 'reference', 'Immunization.patient', ['Patient']),
  usCore('Immunization', 'date', 'date', 'Immunization.occurrence'),
  usCore('Immunization', 'status', 'token', 'Immunization.status'),

  usCore('MedicationRequest', 'patient', 'reference', 'MedicationRequest.subject.where(resolve() is Patient)', [
    'Patient',
  ]),
  usCore('MedicationRequest', 'status', 'token', 'MedicationRequest.status'),
  usCore('MedicationRequest', 'intent', 'token', 'MedicationRequest.intent'),
  usCore('MedicationRequest', 'authoredon', 'date', 'MedicationRequest.authoredOn'),

  usCore('Observation', 'patient', 'reference', 'Observation.subject.where(resolve() is Patient)', ['Patient']),
  usCore('Observation', 'category', 'token', 'Observation.category'),
  usCore('Observation', 'code', 'token', 'Observation.code'),
  usCore('Observation', 'date', 'date', 'Observation.effective'),
  usCore('Observation', 'status', 'token', 'Observation.status'),

  usCore('Procedure', 'patient', 'reference', 'Procedure.subject.where(resolve() is Patient)', ['Patient']),
  usCore('Procedure', 'code', 'token', 'Procedure.code'),
  usCore('Procedure', 'date', 'date', 'Procedure.performed'),
  usCore('Procedure', 'status', 'token', 'Procedure.status'),

  // A member's Personal Representative, as the member pages recorded them (CARIN C4BB-RelatedPerson).
  usCore('RelatedPerson', 'patient', 'reference', 'RelatedPerson.patient', ['Patient']),
  usCore('RelatedPerson', 'name', 'string', 'RelatedPerson.name'),
];
