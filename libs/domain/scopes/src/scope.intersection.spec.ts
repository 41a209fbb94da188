import type { Interaction, Scope, ScopeContext } from './scope';
import { canAccess, decideAccess, type AccessDecision } from './scope.access';
import { constraintWithin } from './scope-constraint';
import { toScopeString } from './scope.formatter';
import { includesScope, intersect } from './scope.intersection';
import { parseScope, parseScopes } from './scope.parser';

function granted(requested: string, allowed: string): string {
  return toScopeString(intersect(parseScopes(requested).scopes, parseScopes(allowed).scopes));
}

describe('intersect', () => {
  it.each([
    // Both directions of narrowing from the product brief.
    ['patient/*.read', 'patient/Coverage.rs', 'patient/Coverage.rs'],
    ['patient/Coverage.read', 'patient/*.rs', 'patient/Coverage.read'],
    // Seed 002: `read` is not understood, the rest is granted as asked.
    [
      'openid read profile patient/*.read',
      'openid profile fhirUser launch/patient offline_access patient/*.read',
      'openid profile patient/*.read',
    ],
    ['patient/*.read openID FHIRUser', 'openid fhirUser patient/*.rs', 'patient/*.read openid fhirUser'],
    // A wildcard cut down to the types the client registered for.
    [
      'patient/*.read',
      'patient/Patient.rs patient/Coverage.rs patient/ExplanationOfBenefit.rs',
      'patient/Patient.rs patient/Coverage.rs patient/ExplanationOfBenefit.rs',
    ],
    ['patient/*.*', 'patient/*.read', 'patient/*.read'],
    ['patient/*.cruds', 'patient/Coverage.read', 'patient/Coverage.read'],
    ['patient/Patient.read', 'patient/Patient.r', 'patient/Patient.r'],
    // An overlap that is neither side gets a v2 scope of its own.
    ['patient/Coverage.write', 'patient/*.cu', 'patient/Coverage.cu'],
    ['patient/*.read', 'patient/Coverage.r', 'patient/Coverage.r'],
    ['patient/Coverage.rs', 'patient/*.rd', 'patient/Coverage.r'],
    // Allowed scopes that differ only in permissions count together.
    ['patient/*.read', 'patient/*.r patient/*.s', 'patient/*.read'],
    ['patient/*.read', 'patient/*.r patient/Coverage.rs', 'patient/*.r patient/Coverage.rs'],
    // Nothing in common.
    ['user/*.read', 'patient/*.read', ''],
    ['system/*.rs', 'patient/*.rs user/*.rs', ''],
    ['patient/*.write', 'patient/*.read', ''],
    ['patient/Patient.read', 'patient/Coverage.read', ''],
    ['patient/Patient.read', '', ''],
    ['', 'openid patient/*.read', ''],
    // Names are granted only when allowed.
    ['openid offline_access launch/patient', 'openid launch/patient', 'openid launch/patient'],
    ['OpenID FHIRUser', 'openid fhirUser', 'openid fhirUser'],
    // Query constraints only ever add conditions.
    [
      'patient/Observation.rs?category=laboratory',
      'patient/*.read',
      'patient/Observation.rs?category=laboratory',
    ],
    ['patient/Observation.rs', 'patient/Observation.rs?category=laboratory', 'patient/Observation.rs?category=laboratory'],
    ['patient/*.rs?category=laboratory', 'patient/Observation.r?code=x', 'patient/Observation.r?category=laboratory&code=x'],
    ['patient/*.rs', 'patient/*.r patient/Coverage.r?type=x', 'patient/*.r'],
  ])('%j within %j is %j', (requested, allowed, expected) => {
    expect(granted(requested, allowed)).toBe(expected);
  });

  it('keeps the order of the request and drops repeats', () => {
    expect(granted('profile patient/Coverage.rs openid patient/Coverage.rs', 'openid profile patient/*.rs')).toBe(
      'profile patient/Coverage.rs openid',
    );
  });

  describe('over every combination of a small vocabulary', () => {
    const contexts: readonly ScopeContext[] = ['patient', 'user'];
    const types = ['Patient', 'Coverage', 'Observation'];
    const interactions: readonly Interaction[] = ['create', 'read', 'update', 'delete', 'search'];
    const vocabulary = ['patient', 'user'].flatMap((context) =>
      ['*', 'Patient', 'Coverage'].flatMap((type) =>
        ['read', 'write', '*', 'r', 's', 'rs', 'cu', 'd'].map((permissions) => `${context}/${type}.${permissions}`),
      ),
    );
    const allowedSets = vocabulary.flatMap((first, index) => [
      first,
      ...vocabulary.slice(index + 1).map((second) => `${first} ${second}`),
    ]);

    function accessOf(scopes: readonly Scope[]): string[] {
      return contexts.flatMap((context) =>
        types.flatMap((resourceType) =>
          interactions
            .filter((interaction) => canAccess(scopes, { context, resourceType, interaction }))
            .map((interaction) => `${context}/${resourceType}.${interaction}`),
        ),
      );
    }

    it('grants exactly what both the request and the allowed scopes grant', () => {
      const mismatches: string[] = [];
      for (const requestedText of vocabulary) {
        const requested = parseScopes(requestedText).scopes;
        const requestedAccess = accessOf(requested);
        for (const allowedText of allowedSets) {
          const allowed = parseScopes(allowedText).scopes;
          const allowedAccess = new Set(accessOf(allowed));
          const expected = requestedAccess.filter((access) => allowedAccess.has(access));
          const actual = accessOf(intersect(requested, allowed));
          if (actual.join() !== expected.join()) {
            mismatches.push(`${requestedText} within ${allowedText}`);
          }
        }
      }

      expect(mismatches).toEqual([]);
    });

    it('gives a requested scope back as written whenever it is allowed whole', () => {
      const rewritten: string[] = [];
      for (const requestedText of vocabulary) {
        for (const allowedText of allowedSets) {
          const allowed = parseScopes(allowedText).scopes;
          const result = granted(requestedText, allowedText);
          const wholeAccess = accessOf(parseScopes(requestedText).scopes).every((access) =>
            accessOf(allowed).includes(access),
          );
          if (wholeAccess && result !== requestedText) {
            rewritten.push(`${requestedText} within ${allowedText} gave ${result}`);
          }
        }
      }

      expect(rewritten).toEqual([]);
    });
  });
});

describe('intersect with query constraints', () => {
  const interactions: readonly Interaction[] = ['read', 'search'];
  const vocabulary = ['*', 'Observation'].flatMap((type) => [
    `patient/${type}.read`,
    ...['rs', 'r', 's'].flatMap((permissions) =>
      ['', '?category=laboratory', '?code=x'].map((query) => `patient/${type}.${permissions}${query}`),
    ),
  ]);
  const allowedSets = vocabulary.flatMap((first, index) => [
    first,
    ...vocabulary.slice(index + 1).map((second) => `${first} ${second}`),
  ]);

  /** Whether a decision lets through nothing that `limit` would stop. */
  function noWider(decision: AccessDecision, limit: AccessDecision): boolean {
    switch (decision.access) {
      case 'none':
        return true;
      case 'full':
        return limit.access === 'full';
      case 'constrained':
        return (
          limit.access === 'full' ||
          (limit.access === 'constrained' &&
            decision.constraints.every((constraint) => limit.constraints.some((outer) => constraintWithin(constraint, outer))))
        );
    }
  }

  it('never lets through more than the request or the allowed scopes would', () => {
    const widened: string[] = [];
    for (const requestedText of vocabulary) {
      const requested = parseScopes(requestedText).scopes;
      for (const allowedText of allowedSets) {
        const allowed = parseScopes(allowedText).scopes;
        const result = intersect(requested, allowed);
        for (const resourceType of ['Observation', 'Patient']) {
          for (const interaction of interactions) {
            const request = { context: 'patient', resourceType, interaction } as const;
            const decision = decideAccess(result, request);
            if (!noWider(decision, decideAccess(requested, request)) || !noWider(decision, decideAccess(allowed, request))) {
              widened.push(`${requestedText} within ${allowedText}: ${toScopeString(result)} on ${resourceType}.${interaction}`);
            }
          }
        }
      }
    }

    expect(widened).toEqual([]);
  });
});

describe('includesScope', () => {
  function includes(outer: string, inner: string): boolean {
    const [a, b] = [parseScope(outer), parseScope(inner)];
    if (a?.kind !== 'resource' || b?.kind !== 'resource') {
      throw new Error('fixtures must be resource scopes');
    }
    return includesScope(a, b);
  }

  it.each([
    ['patient/*.read', 'patient/Coverage.rs', true],
    ['patient/*.read', 'patient/Coverage.read', true],
    ['patient/Coverage.rs', 'patient/*.rs', false],
    ['patient/*.rs', 'patient/*.read', true],
    ['patient/*.r', 'patient/*.read', false],
    ['patient/*.cruds', 'user/*.r', false],
    ['patient/Observation.rs', 'patient/Observation.r?category=laboratory', true],
    ['patient/Observation.r?category=laboratory', 'patient/Observation.r', false],
    ['patient/Observation.r?category=laboratory', 'patient/Observation.r?category=laboratory&code=x', true],
  ])('%s includes %s: %s', (outer, inner, expected) => {
    expect(includes(outer, inner)).toBe(expected);
  });
});
