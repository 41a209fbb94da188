/**
 * The platform's one scope policy: which scopes each kind of client may ask for, what a member's
 * consent grants of a request, and what discovery advertises. The consent page, the stored
 * grant, the tokens and the discovery documents all derive from here, so they cannot disagree.
 */
import { ADVERTISED_GRANULAR_SCOPES, isEnforceable } from './granular-scopes';
import { isResourceScope, ScopeContext, type Scope } from './scope';
import { toScopeString } from './scope.formatter';
import { intersect } from './scope.intersection';
import { parseScopes } from './scope.parser';

export type ClientKind = 'application' | 'payer';

/** The named scopes of OpenID Connect and SMART launch context, which the protocol engine itself handles. */
export const OIDC_SCOPES: readonly string[] = ['openid', 'fhirUser', 'profile', 'launch/patient', 'offline_access', 'online_access'];

/**
 * Identity scopes the FHIR audience receives beside the resource scopes: the FHIR host serves
 * UserInfo too (seed 002: `/v1/connect/userinfo`, `{base}/UserInfo`) and must see them granted.
 */
export const IDENTITY_SCOPES: readonly string[] = ['openid', 'profile', 'fhirUser'];

/** The most a member can grant an application: SMART v1 and v2 patient read scopes plus OIDC. */
const APPLICATION_SCOPES: readonly string[] = [...OIDC_SCOPES, 'patient/*.read', 'patient/*.rs'];

/**
 * Payers may also use client_credentials for system-level access (payer-to-payer, SMART Backend
 * Services): `system/` scopes in v1 and v2 form, narrowed per type by what they ask for.
 */
const PAYER_SCOPES: readonly string[] = [...APPLICATION_SCOPES, 'system/*.read', 'system/*.rs'];

export const CLIENT_KIND_SCOPES: Readonly<Record<ClientKind, readonly string[]>> = {
  application: APPLICATION_SCOPES,
  payer: PAYER_SCOPES,
};

/** Per-type forms of the wildcard scopes, listed so apps see the types they will ask for by name. */
const ADVERTISED_TYPES = ['Patient', 'Coverage', 'ExplanationOfBenefit'];
/** Backend services also name the member list they export (FHIR Bulk Data: Group). */
const ADVERTISED_SYSTEM_TYPES = [...ADVERTISED_TYPES, 'Group'];

/** `scopes_supported` of both discovery documents: everything some client kind may be granted. */
export const SCOPES_SUPPORTED: readonly string[] = [
  ...new Set([
    ...APPLICATION_SCOPES,
    ...ADVERTISED_TYPES.flatMap((type) => [`patient/${type}.read`, `patient/${type}.rs`]),
    ...PAYER_SCOPES,
    ...ADVERTISED_SYSTEM_TYPES.map((type) => `system/${type}.rs`),
    ...ADVERTISED_GRANULAR_SCOPES,
  ]),
];

/** The scopes a client may ask for: those registered for it, else those of its kind. */
export function allowedScopes(kind: ClientKind, registered: readonly string[] | undefined): readonly string[] {
  return registered && registered.length > 0 ? registered : CLIENT_KIND_SCOPES[kind];
}

/** What a member's consent grants, in the forms each consumer needs. */
export interface GrantedScopes {
  /** Every granted scope: the stored grant and the token response name exactly these. */
  readonly scope: string;
  /** The OpenID Connect and launch-context scopes (the protocol engine's own). */
  readonly oidc: readonly string[];
  /** What the FHIR audience's access token carries: identity scopes, then resource scopes. */
  readonly resource: readonly string[];
}

/**
 * Grants of `requested` what `allowed` permits, for a member's authorization. The member cannot
 * pick scopes (seed 002), and consents to the data of one patient: resource scopes are kept in
 * the patient context only (`user/` and `system/` are not the member's to give), named scopes the
 * platform does not know are dropped, as are query constraints it cannot enforce (granular-scopes.ts),
 * and what is kept is narrowed, never widened.
 */
export function grantScopes(requested: string, allowed: readonly string[]): GrantedScopes {
  const asked = parseScopes(requested).scopes.filter((scope) => !isResourceScope(scope) || (scope.context === ScopeContext.Patient && isEnforceable(scope)));
  // Narrowing two constraints can combine them into one the platform cannot enforce: such a scope goes too.
  const granted: Scope[] = intersect(asked, parseScopes(allowed.join(' ')).scopes).filter((scope) => !isResourceScope(scope) || isEnforceable(scope));
  const named = granted.filter((scope) => !isResourceScope(scope) && OIDC_SCOPES.includes(scope.name));
  const resources = granted.filter(isResourceScope);
  const identity = named.filter((scope) => !isResourceScope(scope) && IDENTITY_SCOPES.includes(scope.name));
  return {
    scope: toScopeString([...named, ...resources]),
    oidc: named.map((scope) => toScopeString([scope])),
    resource: toScopeString([...identity, ...resources]).split(' ').filter(Boolean),
  };
}

/**
 * What a client gets for itself with client_credentials (payer automation): system-context
 * resource scopes within what it may ask for; no member, so no identity or patient scopes.
 */
export function clientCredentialsScopes(requested: string, allowed: readonly string[]): string {
  const asked = parseScopes(requested).scopes.filter((scope) => isResourceScope(scope) && scope.context === ScopeContext.System && isEnforceable(scope));
  return toScopeString(intersect(asked, parseScopes(allowed.join(' ')).scopes).filter((scope) => isResourceScope(scope) && isEnforceable(scope)));
}
