import {
  ANY_RESOURCE_TYPE,
  INTERACTION_PERMISSION,
  isResourceScope,
  ScopeContext,
  type Interaction,
  type ResourceScope,
  type Scope,
  type ScopeConstraint,
} from './scope';

export interface AccessRequest {
  readonly context: ScopeContext;
  readonly resourceType: string;
  readonly interaction: Interaction;
}

/**
 * What granted scopes allow for one request. `constrained` means only resources matching one
 * of the constraints (each a FHIR search) may be returned.
 */
export type AccessDecision =
  | { readonly access: 'full' }
  | { readonly access: 'constrained'; readonly constraints: readonly ScopeConstraint[] }
  | { readonly access: 'none' };

export function decideAccess(granted: readonly Scope[], request: AccessRequest): AccessDecision {
  const matching = granted.filter(isResourceScope).filter((scope) => covers(scope, request));
  if (matching.some((scope) => scope.constraint === undefined)) {
    return { access: 'full' };
  }
  const constraints = matching.flatMap((scope) => (scope.constraint === undefined ? [] : [scope.constraint]));
  return constraints.length > 0 ? { access: 'constrained', constraints } : { access: 'none' };
}

/**
 * Whether the scopes allow the interaction on every resource of the type. A scope with a query
 * constraint allows only some of them, which a yes/no answer cannot carry, so it does not count
 * here; callers able to apply constraints use {@link decideAccess}.
 */
export function canAccess(granted: readonly Scope[], request: AccessRequest): boolean {
  return decideAccess(granted, request).access === 'full';
}

/** The types, among `allKnownTypes` and in that order, whose every resource the scopes let the client read. */
export function readableResourceTypes(
  granted: readonly Scope[],
  allKnownTypes: readonly string[],
  context: ScopeContext = ScopeContext.Patient,
): string[] {
  return allKnownTypes.filter((resourceType) => canAccess(granted, { context, resourceType, interaction: 'read' }));
}

function covers(scope: ResourceScope, { context, resourceType, interaction }: AccessRequest): boolean {
  return (
    scope.context === context &&
    (scope.resourceType === ANY_RESOURCE_TYPE || scope.resourceType === resourceType) &&
    scope.permissions.includes(INTERACTION_PERMISSION[interaction])
  );
}
