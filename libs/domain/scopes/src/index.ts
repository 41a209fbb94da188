export {
  ScopeContext,
  ScopeName,
  PERMISSIONS,
  INTERACTION_PERMISSION,
  ANY_RESOURCE_TYPE,
  isResourceScope,
  type Permission,
  type V1Permission,
  type Interaction,
  type NamedScope,
  type ResourceScope,
  type ScopeConstraint,
  type SearchParam,
  type Scope,
} from './scope';
export { parseScopes, parseScope, type ParsedScopes } from './scope.parser';
export { formatScope, toScopeString, distinctScopes } from './scope.formatter';
export {
  canAccess,
  decideAccess,
  readableResourceTypes,
  type AccessRequest,
  type AccessDecision,
} from './scope.access';
export { intersect, includesScope } from './scope.intersection';
export { hasOpenId, hasOfflineAccess, isBackendScopeSet, wantsPatientLaunch } from './scope.predicates';
export {
  OIDC_SCOPES,
  IDENTITY_SCOPES,
  CLIENT_KIND_SCOPES,
  SCOPES_SUPPORTED,
  allowedScopes,
  grantScopes,
  clientCredentialsScopes,
  type ClientKind,
  type GrantedScopes,
} from './scope.policy';
export {
  SMART_CAPABILITIES,
  GRANT_TYPES_SUPPORTED,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_ENDPOINT_AUTH_SIGNING_ALGS,
  authorizationServerPaths,
  authorizationServerUrls,
  buildSmartConfiguration,
  type AuthorizationServerSettings,
  type AuthorizationServerPaths,
  type SmartConfiguration,
} from './smart-configuration';
export {
  CONSTRAINT_PARAMS,
  ADVERTISED_GRANULAR_SCOPES,
  supportedConstraint,
  isEnforceable,
  type ConstraintToken,
} from './granular-scopes';
