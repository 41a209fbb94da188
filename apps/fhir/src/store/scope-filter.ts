import { supportedConstraint, type ScopeConstraint } from '@payer-access/scopes';

/**
 * What granular SMART v2 scopes leave of a type: only resources matching one of the constraints
 * (`patient/Observation.rs?category=...|laboratory`). The store applies it in every query as it does
 * the compartment, so totals, paging and reads agree. A constraint the platform cannot enforce
 * (see libs/domain/scopes granular-scopes.ts) matches nothing: it must never widen access.
 */
export interface ScopeFilter {
  readonly constraints: readonly ScopeConstraint[];
}

/** SQL over `resource r`: the resource matches at least one constraint. Values go through `bind`. */
export function scopeFilterSql(filter: ScopeFilter, resourceType: string, bind: (value: unknown) => string): string {
  const alternatives = filter.constraints.flatMap((constraint) => {
    const tokens = supportedConstraint(resourceType, constraint);
    if (tokens === undefined) return [];
    return [
      tokens
        .map(({ param, system, code }) => {
          const match = `f.resource_seq = r.seq AND f.param = ${bind(param)} AND f.code = ${bind(code)}`;
          return `EXISTS (SELECT 1 FROM search_token f WHERE ${match}${system === undefined ? '' : ` AND f.system = ${bind(system)}`})`;
        })
        .join(' AND '),
    ];
  });
  return alternatives.length === 0 ? 'FALSE' : `(${alternatives.map((each) => `(${each})`).join(' OR ')})`;
}
