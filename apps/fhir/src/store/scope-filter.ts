import { supportedConstraint, type ScopeConstraint } from '@payer-access/scopes';

/**
 * What granular SMART v2 scopes leave of a type: only resources matching one of the constraints
 * (`patient/Observation.rs?category=...|laboratory`). The store applies it in every query as it does
 * the compartment, so totals, paging and reads agree. A constraint the platform cannot enforce
 * (see libs/domain/scopes granular-scopes.ts) matches nothing: it must never widen access.
 */
export interface ScopeFilter {
  readonly constraints: readonly ScopeConstraint[];
  /**
   * The code systems a param treats as one (the search registry's aliases: the plan's EOB types
   * are spelled with more than one system URL), so a scope matches what a search for it would.
   */
  readonly systemAliases?: (param: string) => readonly string[] | undefined;
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
          if (system === undefined) return `EXISTS (SELECT 1 FROM search_token f WHERE ${match})`;
          const aliases = filter.systemAliases?.(param);
          const systems = aliases?.includes(system) ? aliases : [system];
          return `EXISTS (SELECT 1 FROM search_token f WHERE ${match} AND f.system = ANY(${bind(systems)}::text[]))`;
        })
        .join(' AND '),
    ];
  });
  return alternatives.length === 0 ? 'FALSE' : `(${alternatives.map((each) => `(${each})`).join(' OR ')})`;
}
