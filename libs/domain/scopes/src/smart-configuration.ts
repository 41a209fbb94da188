/**
 * The authorization server's published endpoints and its SMART App Launch 2 configuration,
 * built from deployment settings alone: the authorization service serves this document at its
 * issuer and the FHIR service at its base (SMART App Launch 2 requires it there), and both must
 * publish the same JSON whatever host name a request arrived with.
 * https://hl7.org/fhir/smart-app-launch/STU2/conformance.html#using-well-known
 */
import { SCOPES_SUPPORTED } from './scope.policy';

/** SMART Backend Services: the client assertion algorithms servers must accept (RFC 7523, private_key_jwt). */
export const TOKEN_ENDPOINT_AUTH_SIGNING_ALGS: readonly string[] = ['RS384', 'ES384'];

export interface AuthorizationServerSettings {
  /** The issuer: the authorization service's public base URL. */
  readonly issuer: string;
  /** Path of the authorization endpoint (seed 002's by default). */
  readonly authorizePath: string;
  /** Path of the token endpoint; revocation and introspection sit beside it. */
  readonly tokenPath: string;
}

export interface AuthorizationServerPaths {
  readonly authorization: string;
  readonly token: string;
  readonly revocation: string;
  readonly introspection: string;
  readonly jwks: string;
  readonly userinfo: string;
  readonly discovery: string;
  readonly smartConfiguration: string;
}

export interface SmartConfiguration {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  revocation_endpoint: string;
  introspection_endpoint: string;
  userinfo_endpoint: string;
  scopes_supported: string[];
  response_types_supported: string[];
  code_challenge_methods_supported: string[];
  capabilities: string[];
}

/**
 * What the server supports for browser and native apps alike, and for backend services
 * (`client-confidential-asymmetric`: private_key_jwt). `sso-openid-connect`: a member
 * signed in for one app is not asked to sign in again for the next (consent stays per app).
 */
export const SMART_CAPABILITIES: readonly string[] = [
  'launch-standalone',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'context-standalone-patient',
  'permission-offline',
  'permission-patient',
  'permission-v1',
  'permission-v2',
  'sso-openid-connect',
];

export const GRANT_TYPES_SUPPORTED: readonly string[] = ['authorization_code', 'refresh_token', 'client_credentials'];
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

/** Where each endpoint lives under the issuer: revocation and introspection beside the token endpoint. */
export function authorizationServerPaths(settings: Pick<AuthorizationServerSettings, 'authorizePath' | 'tokenPath'>): AuthorizationServerPaths {
  const base = settings.tokenPath.replace(/\/[^/]*$/, '');
  return {
    authorization: settings.authorizePath,
    token: settings.tokenPath,
    revocation: `${base}/revoke`,
    introspection: `${base}/introspect`,
    jwks: '/jwks',
    userinfo: '/connect/userinfo',
    discovery: '/.well-known/openid-configuration',
    smartConfiguration: '/.well-known/smart-configuration',
  };
}

/** The endpoints as absolute URLs under the configured issuer, never under a request's Host. */
export function authorizationServerUrls(settings: AuthorizationServerSettings): AuthorizationServerPaths {
  const issuer = settings.issuer.replace(/\/+$/, '');
  const paths = authorizationServerPaths(settings);
  return Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, `${issuer}${path}`])) as unknown as AuthorizationServerPaths;
}

/** `/.well-known/smart-configuration` (SMART App Launch 2 §Metadata). */
export function buildSmartConfiguration(settings: AuthorizationServerSettings): SmartConfiguration {
  const urls = authorizationServerUrls(settings);
  return {
    issuer: settings.issuer,
    jwks_uri: urls.jwks,
    authorization_endpoint: urls.authorization,
    token_endpoint: urls.token,
    grant_types_supported: [...GRANT_TYPES_SUPPORTED],
    token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...TOKEN_ENDPOINT_AUTH_SIGNING_ALGS],
    revocation_endpoint: urls.revocation,
    introspection_endpoint: urls.introspection,
    userinfo_endpoint: urls.userinfo,
    scopes_supported: [...SCOPES_SUPPORTED],
    response_types_supported: ['code'],
    // RFC 7636 plain is never advertised: SMART App Launch 2 conformance fails a server that lists it.
    code_challenge_methods_supported: ['S256'],
    capabilities: [...SMART_CAPABILITIES],
  };
}
