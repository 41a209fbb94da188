import { includesPermissions, intersectPermissions, unitePermissions } from './permissions';
import { ANY_RESOURCE_TYPE, isResourceScope, type Permission, type ResourceScope, type Scope } from './scope';
import { combineConstraints, constraintWithin } from './scope-constraint';
import { distinctScopes } from './scope.formatter';

/**
 * What may be granted of `requested` within `allowed` (the client's registered scopes, or what
 * the member agreed to). Scopes narrow, never widen: each result allows nothing that is not
 * allowed by both a requested scope and an allowed one.
 *
 * A requested scope that fits entirely within what is allowed comes back as written, v1 form
 * included, so apps get the scope string they asked for. One that is cut down comes back as
 * the narrower scope: the allowed one as written when that is the whole overlap
 * (`patient/*.read` within `patient/Coverage.rs` gives `patient/Coverage.rs`), otherwise a
 * v2 scope for the overlap.
 */
export function intersect(requested: readonly Scope[], allowed: readonly Scope[]): Scope[] {
  const allowedNames = new Set(allowed.flatMap((scope) => (scope.kind === 'named' ? [scope.name] : [])));
  const allowedResources = allowed.filter(isResourceScope);

  return distinctScopes(
    requested.flatMap((scope): readonly Scope[] => {
      if (scope.kind === 'named') {
        return allowedNames.has(scope.name) ? [scope] : [];
      }
      return narrow(scope, allowedResources);
    }),
  );
}

/** Whether `outer` allows everything `inner` allows. */
export function includesScope(outer: ResourceScope, inner: ResourceScope): boolean {
  return reaches(outer, inner) && includesPermissions(outer.permissions, inner.permissions);
}

/** Whether `outer` applies to every resource `inner` applies to, whatever the permissions. */
function reaches(outer: ResourceScope, inner: ResourceScope): boolean {
  return (
    outer.context === inner.context &&
    (outer.resourceType === ANY_RESOURCE_TYPE || outer.resourceType === inner.resourceType) &&
    constraintWithin(inner.constraint, outer.constraint)
  );
}

function narrow(requested: ResourceScope, allowed: readonly ResourceScope[]): ResourceScope[] {
  // Allowed together counts: `patient/*.r` and `patient/Coverage.s` allow `patient/Coverage.read` whole.
  const permissions = allowed
    .filter((scope) => reaches(scope, requested))
    .reduce<readonly Permission[]>((union, scope) => unitePermissions(union, scope.permissions), []);
  if (includesPermissions(permissions, requested.permissions)) {
    return [requested];
  }
  const overlaps = distinctScopes(allowed.flatMap((scope) => overlap(requested, scope) ?? []));
  // Overlaps with different allowed scopes may contain one another; the widest suffices.
  return overlaps.filter((scope) => !overlaps.some((other) => other !== scope && strictlyIncludes(other, scope)));
}

function overlap(requested: ResourceScope, allowed: ResourceScope): ResourceScope | undefined {
  if (includesScope(requested, allowed)) {
    return allowed;
  }
  const wildcard = requested.resourceType === ANY_RESOURCE_TYPE || allowed.resourceType === ANY_RESOURCE_TYPE;
  const permissions = intersectPermissions(requested.permissions, allowed.permissions);
  if (
    requested.context !== allowed.context ||
    (!wildcard && requested.resourceType !== allowed.resourceType) ||
    permissions.length === 0
  ) {
    return undefined;
  }
  const constraint = combineConstraints(requested.constraint, allowed.constraint);
  return {
    kind: 'resource',
    context: requested.context,
    resourceType: requested.resourceType === ANY_RESOURCE_TYPE ? allowed.resourceType : requested.resourceType,
    permissions,
    ...(constraint !== undefined && { constraint }),
  };
}

function strictlyIncludes(outer: ResourceScope, inner: ResourceScope): boolean {
  return includesScope(outer, inner) && !includesScope(inner, outer);
}
