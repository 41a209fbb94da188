import type { Scope } from './scope';
import { distinctScopes, formatScope, toScopeString } from './scope.formatter';
import { parseScope, parseScopes } from './scope.parser';

describe('formatScope', () => {
  it.each([
    'patient/Patient.read',
    'patient/*.read',
    'patient/Observation.write',
    'user/*.*',
    'patient/Coverage.rs',
    'patient/Patient.r',
    'system/*.cruds',
    'user/Observation.cu',
    'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
    'system/Observation.s?code:in=http://vs.example/diabetes&_tag=a|b',
    'openid',
    'fhirUser',
    'launch/patient',
    'offline_access',
  ])('writes %s back as it was asked for', (token) => {
    const scope = parseScope(token);

    expect(scope && formatScope(scope)).toBe(token);
  });

  it('writes permissions in cruds order and v2 form when there is no v1 word', () => {
    const scope: Scope = { kind: 'resource', context: 'patient', resourceType: 'Coverage', permissions: ['r', 's'] };

    expect(formatScope(scope)).toBe('patient/Coverage.rs');
  });

  it.each([
    ['openID', 'openid'],
    ['OpenID', 'openid'],
    ['FHIRUser', 'fhirUser'],
  ])('normalizes %s to %s', (token, expected) => {
    const scope = parseScope(token);

    expect(scope && formatScope(scope)).toBe(expected);
  });
});

describe('toScopeString', () => {
  it('joins with single spaces, keeping the v1 form the app asked for', () => {
    expect(toScopeString(parseScopes('  patient/*.read   openID FHIRUser ').scopes)).toBe('patient/*.read openid fhirUser');
  });

  it("gives seed 002's request back without what it did not understand", () => {
    expect(toScopeString(parseScopes('openid read profile patient/*.read').scopes)).toBe('openid profile patient/*.read');
  });

  it('is empty for no scopes', () => {
    expect(toScopeString([])).toBe('');
  });
});

describe('distinctScopes', () => {
  it('keeps the first of scopes written the same, in order', () => {
    const scopes = ['profile', 'openid', 'OpenID', 'patient/Patient.r', 'profile'].map((token) => parseScope(token) as Scope);

    expect(toScopeString(distinctScopes(scopes))).toBe('profile openid patient/Patient.r');
  });
});
