import type { Scope } from './scope';
import { formatConstraint } from './scope-constraint';

/**
 * Writes a scope back as a token. A scope asked for in v1 form keeps it, as SMART 2 advises
 * servers to return v1 scopes when v1 scopes were requested and granted.
 */
export function formatScope(scope: Scope): string {
  if (scope.kind === 'named') {
    return scope.name;
  }
  const permissions = scope.v1Permission ?? scope.permissions.join('');
  const query = scope.constraint === undefined ? '' : `?${formatConstraint(scope.constraint)}`;
  return `${scope.context}/${scope.resourceType}.${permissions}${query}`;
}

/** The space-separated `scope` value of a token response or introspection answer. */
export function toScopeString(scopes: readonly Scope[]): string {
  return scopes.map(formatScope).join(' ');
}

/** The scopes without repeats, judged by how they are written; the first of each is kept. */
export function distinctScopes<S extends Scope>(scopes: readonly S[]): S[] {
  const byText = new Map<string, S>();
  for (const scope of scopes) {
    const text = formatScope(scope);
    if (!byText.has(text)) {
      byText.set(text, scope);
    }
  }
  return [...byText.values()];
}
