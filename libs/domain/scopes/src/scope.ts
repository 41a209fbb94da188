/**
 * The scope vocabulary of SMART App Launch 2 and OpenID Connect that the platform understands.
 * Spec: https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html
 */

/** Whose data a resource scope reaches: the patient in context, the user's, or the client's own. */
export const ScopeContext = {
  Patient: 'patient',
  User: 'user',
  System: 'system',
} as const;

export type ScopeContext = (typeof ScopeContext)[keyof typeof ScopeContext];

/** SMART v2 permissions, always kept in this order: create, read, update, delete, search. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export const PERMISSIONS: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];

/** SMART v1 permissions, which v2 servers still accept and echo back when granted. */
export type V1Permission = 'read' | 'write' | '*';

export type Interaction = 'create' | 'read' | 'update' | 'delete' | 'search';

/** Which permission each FHIR REST interaction needs. */
export const INTERACTION_PERMISSION: { readonly [I in Interaction]: Permission } = {
  create: 'c',
  read: 'r',
  update: 'u',
  delete: 'd',
  search: 's',
};

/** Scopes that are names rather than patterns: identity, launch context and refresh tokens. */
export const ScopeName = {
  OpenId: 'openid',
  Profile: 'profile',
  FhirUser: 'fhirUser',
  Launch: 'launch',
  LaunchPatient: 'launch/patient',
  OfflineAccess: 'offline_access',
  OnlineAccess: 'online_access',
} as const;

export type ScopeName = (typeof ScopeName)[keyof typeof ScopeName];

export interface NamedScope {
  readonly kind: 'named';
  readonly name: ScopeName;
}

/** One `param=value` item of a v2 query suffix, kept as written (not percent-decoded). */
export interface SearchParam {
  readonly name: string;
  readonly value: string;
}

/**
 * A v2 query suffix such as `?category=...|laboratory`: the scope covers only resources that
 * match every param, as a FHIR search with these params would.
 */
export interface ScopeConstraint {
  readonly params: readonly SearchParam[];
}

/** Access to FHIR resources, e.g. `patient/Coverage.rs` or `patient/*.read`. */
export interface ResourceScope {
  readonly kind: 'resource';
  readonly context: ScopeContext;
  /** A FHIR resource type, or `*` for every type. */
  readonly resourceType: string;
  /** Normalized to v2 whatever the form asked for; non-empty, in `cruds` order. */
  readonly permissions: readonly Permission[];
  /** Present when the scope was written in v1 form, so that it is given back in that form. */
  readonly v1Permission?: V1Permission;
  readonly constraint?: ScopeConstraint;
}

export type Scope = NamedScope | ResourceScope;

export function isResourceScope(scope: Scope): scope is ResourceScope {
  return scope.kind === 'resource';
}

export const ANY_RESOURCE_TYPE = '*';
