import { parseScopes, supportedConstraint, type ResourceScope, type Scope } from '@payer-access/scopes';

const NAMED: Record<string, string | null> = {
  openid: 'Confirm your identity to the app',
  profile: 'Your name and user name',
  fhirUser: 'Which person you are in the health record (you, or you as a representative)',
  'launch/patient': 'Which member record is being shared',
  // How long is the app's data-access type, which the consent page states in its own sentence.
  offline_access: 'Keep access even when you are not using the app',
  online_access: 'Keep access while you are using the app',
  launch: null,
};

const TYPES: Record<string, string> = {
  '*': 'All of your health plan records: claims, coverage, demographics and clinical data',
  Patient: 'Your demographic information (name, birth date, gender, address)',
  Coverage: 'Your coverage and plan enrollment',
  ExplanationOfBenefit: 'Your claims and explanation of benefits',
};

/** Granular scopes (a category or claim type of one type) by the code they name, whatever its code system. */
const GRANULAR: Record<string, Record<string, string>> = {
  Observation: {
    laboratory: 'Your laboratory results',
    'vital-signs': 'Your vital signs',
    'social-history': 'Your social history (such as smoking status)',
    survey: 'Your answers to health surveys and assessments',
    imaging: 'Your imaging results',
    exam: 'Your physical exam findings',
    procedure: 'Your procedure results',
  },
  Condition: {
    'problem-list-item': 'Your problem list',
    'encounter-diagnosis': 'Your diagnoses from visits',
    'health-concern': 'Your health concerns',
  },
  DocumentReference: { 'clinical-note': 'Your clinical notes' },
  ExplanationOfBenefit: {
    institutional: 'Your hospital and facility claims',
    professional: 'Your doctor and other professional claims',
    pharmacy: 'Your pharmacy claims',
    oral: 'Your dental claims',
    vision: 'Your vision claims',
    carrier: 'Your doctor and supplier claims',
    pde: 'Your prescription drug claims',
    dme: 'Your medical equipment claims',
    hha: 'Your home health claims',
    hospice: 'Your hospice claims',
    inpatient: 'Your hospital stay claims',
    outpatient: 'Your outpatient claims',
    snf: 'Your skilled nursing facility claims',
  },
};

/**
 * What the consent and connected-apps pages list for each scope granted, in words a member
 * understands. Offline access is listed where it is granted: a one-time app never gets it.
 */
export function describeScopes(scope: string): string[] {
  const lines = new Set<string>();
  for (const each of parseScopes(scope).scopes) {
    const line = describe(each);
    if (line) lines.add(line);
  }
  return [...lines];
}

function describe(scope: Scope): string | null {
  if (scope.kind === 'named') return NAMED[scope.name] ?? null;
  const what = scope.constraint === undefined ? (TYPES[scope.resourceType] ?? `Your ${scope.resourceType} records`) : granular(scope);
  const writes = scope.permissions.some((permission) => permission === 'c' || permission === 'u' || permission === 'd');
  return writes ? `${what} (read and change)` : `${what} (read only)`;
}

/** A granular scope names only part of a type: the member is told which part, never the whole type. */
function granular(scope: ResourceScope): string {
  const tokens = scope.constraint && supportedConstraint(scope.resourceType, scope.constraint);
  const code = tokens?.[0]?.code ?? '';
  const known = Object.hasOwn(GRANULAR, scope.resourceType) && Object.hasOwn(GRANULAR[scope.resourceType], code);
  return known ? GRANULAR[scope.resourceType][code] : `Your ${scope.resourceType} records of ${tokens?.[0]?.param ?? 'kind'} '${code || 'unknown'}' only`;
}
