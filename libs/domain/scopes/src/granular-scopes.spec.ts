import { ADVERTISED_GRANULAR_SCOPES, isEnforceable, supportedConstraint } from './granular-scopes';
import { isResourceScope } from './scope';
import { decideAccess } from './scope.access';
import { parseScope, parseScopes } from './scope.parser';
import { clientCredentialsScopes, grantScopes, SCOPES_SUPPORTED } from './scope.policy';

const LAB = 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
const VITALS = 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';
const PROBLEMS = 'patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item';
const PHARMACY = 'patient/ExplanationOfBenefit.rs?type=http://terminology.hl7.org/CodeSystem/claim-type|pharmacy';
const APPLICATION = ['openid', 'fhirUser', 'patient/*.read', 'patient/*.rs'];

function scopes(text: string) {
  return parseScopes(text).scopes;
}

describe('supported constraints', () => {
  it.each([
    [LAB, [{ param: 'category', system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }]],
    [PHARMACY, [{ param: 'type', system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'pharmacy' }]],
    ['patient/DocumentReference.rs?category=clinical-note', [{ param: 'category', code: 'clinical-note' }]],
  ])('%s', (token, expected) => {
    const scope = parseScope(token);
    expect(scope !== undefined && isResourceScope(scope) && scope.constraint && supportedConstraint(scope.resourceType, scope.constraint)).toEqual(expected);
  });

  it.each([
    ['an empty system', 'patient/Observation.rs?category=|laboratory'],
    ['an empty code', 'patient/Observation.rs?category=a|'],
    ['two bars', 'patient/Observation.rs?category=a|b|c'],
    ['another parameter', 'patient/Observation.rs?code=http://loinc.org|1234-5'],
    ['a parameter given twice', `${LAB}&category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory`],
    ['two parameters', `${LAB}&status=final`],
    ['a modifier', 'patient/Observation.rs?category:not=laboratory'],
    ['a type without granular scopes', 'patient/Coverage.rs?type=x|y'],
    ['EOB by category', 'patient/ExplanationOfBenefit.rs?category=x|y'],
    ['the wildcard type', 'patient/*.rs?category=x|laboratory'],
    ['a 10k-character value', `patient/Observation.rs?category=http://x/${'a'.repeat(10_000)}|laboratory`],
  ])('%s is not enforceable', (_name, token) => {
    const scope = parseScope(token);
    expect(scope === undefined || (isResourceScope(scope) && !isEnforceable(scope))).toBe(true);
    expect(grantScopes(token, APPLICATION).scope).toBe('');
  });

  it.each([['patient/Observation.rs?category='], ['patient/Observation.rs?category=lab\u0000oratory'], ['patient/Observation.rs?category=laboratóry']])(
    '%j is not even a scope',
    (token) => {
      expect(parseScope(token)).toBeUndefined();
      expect(grantScopes(`openid ${token}`, APPLICATION).scope).toBe('openid');
    },
  );
});

describe('granting granular scopes', () => {
  it('grants them as requested within the broad scopes an application may have', () => {
    expect(grantScopes(`openid ${LAB} ${PROBLEMS} ${PHARMACY}`, APPLICATION).scope).toBe(`openid ${LAB} ${PROBLEMS} ${PHARMACY}`);
    expect(grantScopes(`openid ${LAB}`, APPLICATION).resource).toEqual(['openid', LAB]);
  });

  it('narrows a granular request to what was allowed, never widening it', () => {
    expect(grantScopes(LAB, ['patient/Observation.r']).scope).toBe(LAB.replace('.rs?', '.r?'));
    expect(grantScopes(LAB, [VITALS]).scope).toBe('');
    expect(grantScopes('patient/Observation.rs', [LAB]).scope).toBe(LAB);
  });

  it('keeps a granular scope beside a broad one for the same type', () => {
    expect(grantScopes(`${LAB} patient/Observation.rs`, APPLICATION).scope).toBe(`${LAB} patient/Observation.rs`);
  });

  it('lets a payer ask for granular system scopes', () => {
    const system = PHARMACY.replace('patient/', 'system/');
    expect(clientCredentialsScopes(`${system} system/Observation.rs?code=x`, ['system/*.rs'])).toBe(system);
  });
});

describe('access with granular scopes', () => {
  const search = { context: 'patient', resourceType: 'Observation', interaction: 'search' } as const;

  it('constrains access to the union of the granular scopes for the type', () => {
    expect(decideAccess(scopes(`${LAB} ${VITALS} ${PROBLEMS}`), search)).toEqual({
      access: 'constrained',
      constraints: [
        { params: [{ name: 'category', value: 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory' }] },
        { params: [{ name: 'category', value: 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs' }] },
      ],
    });
  });

  it('gives full access when a broad scope covers the type too', () => {
    expect(decideAccess(scopes(`${LAB} patient/Observation.rs`), search)).toEqual({ access: 'full' });
    expect(decideAccess(scopes(`${LAB} patient/*.read`), search)).toEqual({ access: 'full' });
  });

  it('needs the permission of the interaction', () => {
    expect(decideAccess(scopes(LAB.replace('.rs?', '.r?')), search)).toEqual({ access: 'none' });
  });
});

describe('discovery', () => {
  it('lists every advertised granular scope, each one the policy grants as written', () => {
    for (const scope of ADVERTISED_GRANULAR_SCOPES) {
      expect(SCOPES_SUPPORTED).toContain(scope);
      expect(grantScopes(scope, APPLICATION).scope).toBe(scope);
    }
    expect(SCOPES_SUPPORTED).toContain(LAB);
  });
});
