import { PERMISSIONS, type Permission, type V1Permission } from './scope';

/**
 * v1 permissions as v2 defines them; "Scopes for requesting clinical data" in
 * https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html#scopes-for-requesting-clinical-data
 */
const V1_AS_V2: { readonly [P in V1Permission]: readonly Permission[] } = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': PERMISSIONS,
};

/** Any non-empty subsequence of `cruds`, each letter at most once and in that order. */
const V2_PERMISSIONS = /^(?=.)c?r?u?d?s?$/;

export type ParsedPermissions =
  | { readonly permissions: readonly Permission[]; readonly v1Permission: V1Permission }
  | { readonly permissions: readonly Permission[]; readonly v1Permission?: undefined };

/**
 * Reads the part after the dot. Out-of-order or repeated letters are refused rather than
 * reinterpreted, as the spec advises, so `.sr` cannot be mistaken for some other convention.
 */
export function parsePermissions(text: string): ParsedPermissions | undefined {
  if (Object.hasOwn(V1_AS_V2, text)) {
    const v1Permission = text as V1Permission;
    return { permissions: V1_AS_V2[v1Permission], v1Permission };
  }
  if (V2_PERMISSIONS.test(text)) {
    return { permissions: PERMISSIONS.filter((permission) => text.includes(permission)) };
  }
  return undefined;
}

export function intersectPermissions(a: readonly Permission[], b: readonly Permission[]): Permission[] {
  return PERMISSIONS.filter((permission) => a.includes(permission) && b.includes(permission));
}

export function unitePermissions(a: readonly Permission[], b: readonly Permission[]): Permission[] {
  return PERMISSIONS.filter((permission) => a.includes(permission) || b.includes(permission));
}

export function includesPermissions(outer: readonly Permission[], inner: readonly Permission[]): boolean {
  return inner.every((permission) => outer.includes(permission));
}
