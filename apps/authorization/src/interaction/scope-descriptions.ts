import { parseScopes, type Scope } from '@payer-access/scopes';

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

/** What the consent page lists for each scope, in words a member understands. */
export function describeScopes(scope: string, options: { offline?: boolean } = {}): string[] {
  const lines = new Set<string>();
  for (const each of parseScopes(scope).scopes) {
    if (options.offline === false && each.kind === 'named' && each.name === 'offline_access') continue;
    const line = describe(each);
    if (line) lines.add(line);
  }
  return [...lines];
}

function describe(scope: Scope): string | null {
  if (scope.kind === 'named') return NAMED[scope.name] ?? null;
  const what = TYPES[scope.resourceType] ?? `Your ${scope.resourceType} records`;
  const writes = scope.permissions.some((permission) => permission === 'c' || permission === 'u' || permission === 'd');
  return writes ? `${what} (read and change)` : `${what} (read only)`;
}
