import { parseScopes } from './scope.parser';
import { hasOfflineAccess, hasOpenId, isBackendScopeSet, wantsPatientLaunch } from './scope.predicates';

function scopes(scope: string) {
  return parseScopes(scope).scopes;
}

describe('hasOpenId', () => {
  it.each([
    ['openid', true],
    ['openID', true],
    ['patient/*.read openID FHIRUser', true],
    ['profile fhirUser patient/*.read', false],
    ['', false],
  ])('%j: %s', (scope, expected) => {
    expect(hasOpenId(scopes(scope))).toBe(expected);
  });
});

describe('hasOfflineAccess', () => {
  it.each([
    ['openid offline_access', true],
    ['online_access', false],
    ['Offline_Access', false],
    ['openid profile', false],
  ])('%j: %s', (scope, expected) => {
    expect(hasOfflineAccess(scopes(scope))).toBe(expected);
  });
});

describe('wantsPatientLaunch', () => {
  it.each([
    ['launch/patient openid', true],
    ['openid read profile patient/*.read', true],
    ['patient/Coverage.rs', true],
    ['launch', false],
    ['openid profile fhirUser offline_access', false],
    ['user/*.cruds system/*.rs', false],
  ])('%j: %s', (scope, expected) => {
    expect(wantsPatientLaunch(scopes(scope))).toBe(expected);
  });
});

describe(isBackendScopeSet.name, () => {
  it.each([
    ['system/*.rs', true],
    ['system/Patient.rs system/ExplanationOfBenefit.read', true],
    ['', false],
    ['system/*.rs openid', false],
    ['system/*.rs patient/*.rs', false],
    ['user/*.rs', false],
  ])('%j: %s', (scope, expected) => {
    expect(isBackendScopeSet(scopes(scope))).toBe(expected);
  });
});
