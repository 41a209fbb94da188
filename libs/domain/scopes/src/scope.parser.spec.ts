import type { Scope } from './scope';
import { parseScope, parseScopes } from './scope.parser';

describe('parseScope', () => {
  describe('resource scopes', () => {
    it.each<[string, Scope]>([
      // The forms of docs/product.md#authorization-service and #seed-002.
      [
        'patient/Patient.read',
        { kind: 'resource', context: 'patient', resourceType: 'Patient', permissions: ['r', 's'], v1Permission: 'read' },
      ],
      [
        'patient/*.read',
        { kind: 'resource', context: 'patient', resourceType: '*', permissions: ['r', 's'], v1Permission: 'read' },
      ],
      ['patient/Coverage.rs', { kind: 'resource', context: 'patient', resourceType: 'Coverage', permissions: ['r', 's'] }],
      [
        'patient/ExplanationOfBenefit.read',
        {
          kind: 'resource',
          context: 'patient',
          resourceType: 'ExplanationOfBenefit',
          permissions: ['r', 's'],
          v1Permission: 'read',
        },
      ],
      [
        'patient/Coverage.read',
        { kind: 'resource', context: 'patient', resourceType: 'Coverage', permissions: ['r', 's'], v1Permission: 'read' },
      ],
      // The other v1 permissions.
      [
        'patient/Observation.write',
        {
          kind: 'resource',
          context: 'patient',
          resourceType: 'Observation',
          permissions: ['c', 'u', 'd'],
          v1Permission: 'write',
        },
      ],
      [
        'user/*.*',
        { kind: 'resource', context: 'user', resourceType: '*', permissions: ['c', 'r', 'u', 'd', 's'], v1Permission: '*' },
      ],
      // v2 permissions and contexts.
      ['user/*.cruds', { kind: 'resource', context: 'user', resourceType: '*', permissions: ['c', 'r', 'u', 'd', 's'] }],
      ['system/*.rs', { kind: 'resource', context: 'system', resourceType: '*', permissions: ['r', 's'] }],
      ['system/Patient.s', { kind: 'resource', context: 'system', resourceType: 'Patient', permissions: ['s'] }],
      ['patient/Patient.r', { kind: 'resource', context: 'patient', resourceType: 'Patient', permissions: ['r'] }],
      ['user/Observation.cu', { kind: 'resource', context: 'user', resourceType: 'Observation', permissions: ['c', 'u'] }],
      ['user/Encounter.crds', { kind: 'resource', context: 'user', resourceType: 'Encounter', permissions: ['c', 'r', 'd', 's'] }],
    ])('%s', (token, expected) => {
      expect(parseScope(token)).toStrictEqual(expected);
    });

    it('keeps a v2 query suffix as a constraint', () => {
      expect(
        parseScope('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory'),
      ).toStrictEqual({
        kind: 'resource',
        context: 'patient',
        resourceType: 'Observation',
        permissions: ['r', 's'],
        constraint: {
          params: [{ name: 'category', value: 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory' }],
        },
      });
    });

    it('reads several params, modifiers and chains in a query suffix', () => {
      const scope = parseScope('system/Observation.rs?code:in=http://vs.example/diabetes&patient.birthdate=1990&_tag=a|b');

      expect(scope?.kind === 'resource' && scope.constraint).toStrictEqual({
        params: [
          { name: 'code:in', value: 'http://vs.example/diabetes' },
          { name: 'patient.birthdate', value: '1990' },
          { name: '_tag', value: 'a|b' },
        ],
      });
    });
  });

  describe('named scopes', () => {
    it.each([
      ['openid', 'openid'],
      ['openID', 'openid'],
      ['OpenID', 'openid'],
      ['OPENID', 'openid'],
      ['fhirUser', 'fhirUser'],
      ['FHIRUser', 'fhirUser'],
      ['fhiruser', 'fhirUser'],
      ['profile', 'profile'],
      ['launch', 'launch'],
      ['launch/patient', 'launch/patient'],
      ['offline_access', 'offline_access'],
      ['online_access', 'online_access'],
    ])('%s is %s', (token, name) => {
      expect(parseScope(token)).toStrictEqual({ kind: 'named', name });
    });
  });

  describe('tokens it does not understand', () => {
    it.each([
      // Seed 002 asks for `read`, and its token response leaves it out.
      ['read'],
      ['Patient.read'],
      ['patient/.read'],
      ['patient/Patient.'],
      ['patient/Patient'],
      ['patient/Patient.rr'],
      ['patient/Patient.sr'],
      ['patient/Patient.dus'],
      ['patient/Patient.rx'],
      ['patient/Patient.READ'],
      ['patient/Patient.Read'],
      ['patient/Patient.**'],
      ['patient/patient.read'],
      ['Patient/Patient.read'],
      ['practitioner/*.read'],
      ['patient/*'],
      ['patient/**.read'],
      ['patient/Pat1ent.read'],
      ['patient//Patient.read'],
      ['patient/Patient.read/x'],
      // Query suffixes: v2 only, and each item a non-empty `name=value`.
      ['patient/Observation.read?category=laboratory'],
      ['patient/Observation.rs?'],
      ['patient/Observation.rs?category'],
      ['patient/Observation.rs?category='],
      ['patient/Observation.rs?=laboratory'],
      ['patient/Observation.rs?category=laboratory&'],
      ['patient/Observation.rs?category=a&&code=b'],
      // Case matters everywhere but in openid and fhirUser.
      ['Profile'],
      ['PROFILE'],
      ['Launch/Patient'],
      ['launch/Patient'],
      ['Offline_Access'],
      // Not in the platform's vocabulary.
      ['email'],
      ['launch/encounter'],
      ['user/*.read?'],
      ['openid,profile'],
      ['"openid"'],
      ['open\\id'],
      ['openid\u00a0profile'],
      ['openid\u200b'],
      ['öpenid'],
      ['patient/Patiënt.read'],
      ['patient/*.read\u0000'],
    ])('%j', (token) => {
      expect(parseScope(token)).toBeUndefined();
    });
  });
});

describe('parseScopes', () => {
  function parsed(scope: string): { scopes: string[]; unknown: readonly string[] } {
    const result = parseScopes(scope);
    return {
      scopes: result.scopes.map((each) => (each.kind === 'named' ? each.name : `${each.context}/${each.resourceType}`)),
      unknown: result.unknown,
    };
  }

  it("reads seed 002's authorization request, dropping `read`", () => {
    expect(parsed('openid read profile patient/*.read')).toEqual({
      scopes: ['openid', 'profile', 'patient/*'],
      unknown: ['read'],
    });
  });

  it("reads seed 002's scope as the plan prints it", () => {
    expect(parsed('patient/*.read openID FHIRUser')).toEqual({ scopes: ['patient/*', 'openid', 'fhirUser'], unknown: [] });
  });

  it('reads a standalone patient launch asking for a refresh token', () => {
    expect(parsed('launch/patient openid fhirUser offline_access patient/Coverage.rs patient/ExplanationOfBenefit.read')).toEqual({
      scopes: ['launch/patient', 'openid', 'fhirUser', 'offline_access', 'patient/Coverage', 'patient/ExplanationOfBenefit'],
      unknown: [],
    });
  });

  it.each([[''], [' '], ['   '], ['\t\n']])('finds nothing in %j', (scope) => {
    expect(parseScopes(scope)).toEqual({ scopes: [], unknown: [] });
  });

  it('tolerates repeated, leading and trailing whitespace', () => {
    expect(parsed('  openid   profile\tpatient/Patient.read \r\n')).toEqual({
      scopes: ['openid', 'profile', 'patient/Patient'],
      unknown: [],
    });
  });

  it('does not split on non-ASCII spaces', () => {
    expect(parsed('openid\u00a0profile fhirUser')).toEqual({ scopes: ['fhirUser'], unknown: ['openid\u00a0profile'] });
  });

  it('keeps one of each scope, judged after normalization', () => {
    expect(parsed('openid OpenID openID profile profile patient/*.read patient/*.read')).toEqual({
      scopes: ['openid', 'profile', 'patient/*'],
      unknown: [],
    });
  });

  it('keeps a v1 and a v2 scope that mean the same, as each was asked for', () => {
    expect(parseScopes('patient/*.read patient/*.rs').scopes).toHaveLength(2);
  });

  it('lists each unknown token once, as written', () => {
    expect(parsed('garbage read openid read Patient.read')).toEqual({
      scopes: ['openid'],
      unknown: ['garbage', 'read', 'Patient.read'],
    });
  });

  it('expects the caller to have form-decoded the parameter', () => {
    expect(parsed('openid+profile patient%2F*.read')).toEqual({
      scopes: [],
      unknown: ['openid+profile', 'patient%2F*.read'],
    });
  });
});
