import type { Interaction, ScopeContext } from './scope';
import { canAccess, decideAccess, readableResourceTypes } from './scope.access';
import { parseScopes } from './scope.parser';

const INTERACTIONS: readonly Interaction[] = ['create', 'read', 'update', 'delete', 'search'];

function allowedInteractions(scope: string, context: ScopeContext, resourceType: string): Interaction[] {
  const granted = parseScopes(scope).scopes;
  return INTERACTIONS.filter((interaction) => canAccess(granted, { context, resourceType, interaction }));
}

describe('canAccess', () => {
  it.each<[string, ScopeContext, string, readonly Interaction[]]>([
    ['patient/*.read', 'patient', 'ExplanationOfBenefit', ['read', 'search']],
    ['patient/*.read', 'patient', 'Patient', ['read', 'search']],
    ['patient/Coverage.rs', 'patient', 'Coverage', ['read', 'search']],
    ['patient/Coverage.rs', 'patient', 'Patient', []],
    ['patient/Patient.r', 'patient', 'Patient', ['read']],
    ['patient/Patient.read', 'patient', 'Patient', ['read', 'search']],
    ['patient/Patient.read', 'patient', 'Coverage', []],
    ['patient/ExplanationOfBenefit.read', 'patient', 'ExplanationOfBenefit', ['read', 'search']],
    ['patient/Observation.write', 'patient', 'Observation', ['create', 'update', 'delete']],
    ['patient/*.*', 'patient', 'Condition', ['create', 'read', 'update', 'delete', 'search']],
    ['user/*.cruds', 'user', 'Condition', ['create', 'read', 'update', 'delete', 'search']],
    ['system/*.rs', 'system', 'Coverage', ['read', 'search']],
    ['patient/Coverage.r patient/Coverage.s', 'patient', 'Coverage', ['read', 'search']],
    // A scope of one context grants nothing in another.
    ['patient/*.read', 'user', 'Patient', []],
    ['patient/*.read', 'system', 'Patient', []],
    ['system/*.rs', 'patient', 'Patient', []],
    ['user/*.cruds', 'patient', 'Patient', []],
    // Names grant no data.
    ['openid fhirUser profile launch/patient offline_access', 'patient', 'Patient', []],
    // Only the full rights of an unconstrained scope count.
    ['patient/Observation.rs?category=laboratory', 'patient', 'Observation', []],
    ['patient/Observation.rs?category=laboratory patient/Observation.r', 'patient', 'Observation', ['read']],
    ['', 'patient', 'Patient', []],
  ])('%j in %s context on %s allows %j', (scope, context, resourceType, expected) => {
    expect(allowedInteractions(scope, context, resourceType)).toEqual(expected);
  });

  it('matches resource types case-sensitively', () => {
    expect(allowedInteractions('patient/Coverage.rs', 'patient', 'coverage')).toEqual([]);
  });
});

describe('decideAccess', () => {
  const laboratory = { params: [{ name: 'category', value: 'laboratory' }] };
  const vitalSigns = { params: [{ name: 'category', value: 'vital-signs' }] };
  const searchObservations = { context: 'patient', resourceType: 'Observation', interaction: 'search' } as const;

  it('gives full access when any matching scope is unconstrained', () => {
    const granted = parseScopes('patient/Observation.rs?category=laboratory patient/*.rs').scopes;

    expect(decideAccess(granted, searchObservations)).toEqual({ access: 'full' });
  });

  it('lists the constraints of every matching constrained scope', () => {
    const granted = parseScopes(
      'patient/Observation.rs?category=laboratory patient/Observation.s?category=vital-signs patient/Observation.r?category=exam',
    ).scopes;

    expect(decideAccess(granted, searchObservations)).toEqual({
      access: 'constrained',
      constraints: [laboratory, vitalSigns],
    });
  });

  it('gives no access when nothing matches', () => {
    const granted = parseScopes('patient/Observation.r?category=laboratory patient/Condition.rs').scopes;

    expect(decideAccess(granted, searchObservations)).toEqual({ access: 'none' });
  });
});

describe('readableResourceTypes', () => {
  const known = ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Observation'];

  it.each<[string, readonly string[]]>([
    ['patient/*.read', known],
    ['patient/Coverage.rs patient/Patient.r', ['Patient', 'Coverage']],
    ['patient/Patient.s patient/Coverage.cud', []],
    ['patient/ExplanationOfBenefit.read patient/Unknown.read', ['ExplanationOfBenefit']],
    ['patient/Observation.rs?category=laboratory', []],
    ['user/*.cruds system/*.rs openid', []],
  ])('%j reads %j', (scope, expected) => {
    expect(readableResourceTypes(parseScopes(scope).scopes, known)).toEqual(expected);
  });

  it('answers for another context when asked', () => {
    const granted = parseScopes('system/Coverage.rs patient/*.rs').scopes;

    expect(readableResourceTypes(granted, known, 'system')).toEqual(['Coverage']);
  });
});
