import type { ResourceScope, ScopeConstraint } from './scope';

/**
 * The query constraints the platform grants and enforces: one token search parameter per type,
 * the ones US Core 6 and CARIN Blue Button name for granular scopes. Any other constraint (another
 * parameter, a wildcard type, a modifier or chain, a parameter given twice) is dropped from a
 * request like any scope the platform does not understand, so it is never granted wider than asked.
 * https://hl7.org/fhir/us/core/STU6.1/scopes.html
 */
export const CONSTRAINT_PARAMS: Readonly<Record<string, string>> = {
  Condition: 'category',
  DocumentReference: 'category',
  Observation: 'category',
  ExplanationOfBenefit: 'type',
};

/** Longest value one constraint may carry: real code system URLs and codes are far shorter. */
const MAX_VALUE_LENGTH = 256;

/** A token search value: `system|code` with both parts present, or a bare `code` (any system). */
export interface ConstraintToken {
  readonly param: string;
  readonly system?: string;
  readonly code: string;
}

/** The token each param of a supported constraint matches, or undefined when the constraint is not supported. */
export function supportedConstraint(resourceType: string, constraint: ScopeConstraint): ConstraintToken[] | undefined {
  const allowed = CONSTRAINT_PARAMS[resourceType];
  if (allowed === undefined || constraint.params.length !== 1) return undefined;
  const [{ name, value }] = constraint.params;
  if (name !== allowed || value.length > MAX_VALUE_LENGTH) return undefined;
  const bar = value.indexOf('|');
  if (bar < 0) return [{ param: name, code: value }];
  const system = value.slice(0, bar);
  const code = value.slice(bar + 1);
  if (system === '' || code === '' || code.includes('|')) return undefined;
  return [{ param: name, system, code }];
}

/** Whether the platform can grant and enforce this scope: no constraint, or a supported one. */
export function isEnforceable(scope: ResourceScope): boolean {
  return scope.constraint === undefined || supportedConstraint(scope.resourceType, scope.constraint) !== undefined;
}

/**
 * The granular scopes discovery lists: US Core 6's Observation and Condition categories and its
 * DocumentReference clinical-note category, CARIN Blue Button's claim types and the Blue Button
 * EOB types the plan's claims carry. Others of the
 * same form are granted as well.
 */
export const ADVERTISED_GRANULAR_SCOPES: readonly string[] = [
  ...['laboratory', 'vital-signs', 'social-history', 'survey', 'imaging', 'exam', 'procedure'].map(
    (code) => `patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|${code}`,
  ),
  ...['problem-list-item', 'encounter-diagnosis'].map((code) => `patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|${code}`),
  'patient/Condition.rs?category=http://hl7.org/fhir/us/core/CodeSystem/condition-category|health-concern',
  'patient/DocumentReference.rs?category=http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category|clinical-note',
  ...['institutional', 'oral', 'pharmacy', 'professional', 'vision'].map(
    (code) => `patient/ExplanationOfBenefit.rs?type=http://terminology.hl7.org/CodeSystem/claim-type|${code}`,
  ),
  // The plan's own claims are typed in the Blue Button code system (seed 002 searches them so).
  ...['carrier', 'pde', 'dme', 'hha', 'hospice', 'inpatient', 'outpatient', 'snf'].map(
    (code) => `patient/ExplanationOfBenefit.rs?type=https://bluebutton.cms.gov/resources/codesystem/eob-type|${code}`,
  ),
];
