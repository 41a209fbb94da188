import type { ScopeConstraint, SearchParam } from './scope';

/** A search parameter name, with the modifier (`code:in`) or chain (`patient.birthdate`) it may carry. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*([.:][A-Za-z0-9_-]+)*$/;

/**
 * Reads the query suffix of a v2 scope, without its `?`; "Finer-grained resource constraints
 * using search parameters" in
 * https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html#finer-grained-resource-constraints-using-search-parameters
 */
export function parseConstraint(query: string): ScopeConstraint | undefined {
  const params: SearchParam[] = [];
  for (const item of query.split('&')) {
    const equals = item.indexOf('=');
    const name = item.slice(0, equals);
    const value = item.slice(equals + 1);
    if (equals < 0 || !PARAM_NAME.test(name) || value === '') {
      return undefined;
    }
    params.push({ name, value });
  }
  return { params };
}

export function formatConstraint(constraint: ScopeConstraint): string {
  return constraint.params.map(({ name, value }) => `${name}=${value}`).join('&');
}

/**
 * Whether every resource `inner` admits is also admitted by `outer`. No constraint admits
 * everything; otherwise `inner` must impose at least each condition of `outer`. Conditions
 * with different values are never assumed to imply each other, which may under-grant but
 * cannot over-grant.
 */
export function constraintWithin(inner: ScopeConstraint | undefined, outer: ScopeConstraint | undefined): boolean {
  if (outer === undefined) {
    return true;
  }
  return inner !== undefined && outer.params.every((param) => hasParam(inner, param));
}

/** The constraint admitting only what both admit: all the conditions of each, as FHIR search ANDs params. */
export function combineConstraints(
  a: ScopeConstraint | undefined,
  b: ScopeConstraint | undefined,
): ScopeConstraint | undefined {
  if (a === undefined || b === undefined) {
    return a ?? b;
  }
  return { params: [...a.params, ...b.params.filter((param) => !hasParam(a, param))] };
}

function hasParam(constraint: ScopeConstraint, { name, value }: SearchParam): boolean {
  return constraint.params.some((param) => param.name === name && param.value === value);
}
