import { ScopeContext, ScopeName, type Scope } from './scope';

/** Whether the request is an OpenID Connect one, calling for an id_token. */
export function hasOpenId(scopes: readonly Scope[]): boolean {
  return hasName(scopes, ScopeName.OpenId);
}

/**
 * Whether a refresh token that outlives the member's session was asked for; "Scopes for
 * requesting a refresh token" in
 * https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html#scopes-for-requesting-a-refresh-token
 */
export function hasOfflineAccess(scopes: readonly Scope[]): boolean {
  return hasName(scopes, ScopeName.OfflineAccess);
}

/**
 * Whether authorization must put a patient in context and return its id as `patient`. Besides
 * an explicit `launch/patient`, any `patient/` scope calls for it: the spec says a server
 * granting one SHALL establish a patient and MAY infer `launch/patient`, and seed 002 asks for
 * `patient/*.read` alone yet expects `patient` in the token response. See "Standalone apps" in
 * https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html#standalone-apps
 */
export function wantsPatientLaunch(scopes: readonly Scope[]): boolean {
  return (
    hasName(scopes, ScopeName.LaunchPatient) ||
    scopes.some((scope) => scope.kind === 'resource' && scope.context === ScopeContext.Patient)
  );
}

function hasName(scopes: readonly Scope[], name: ScopeName): boolean {
  return scopes.some((scope) => scope.kind === 'named' && scope.name === name);
}

/**
 * Whether the scopes are those of a backend service acting for itself (SMART Backend Services):
 * at least one, and every one a `system/` resource scope, so such a token can never also pass for a
 * member's or a user's.
 * https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html#scopes
 */
export function isBackendScopeSet(scopes: readonly Scope[]): boolean {
  return scopes.length > 0 && scopes.every((scope) => scope.kind === 'resource' && scope.context === ScopeContext.System);
}
