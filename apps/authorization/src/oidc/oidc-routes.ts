import { authorizationServerPaths, type AuthorizationServerSettings } from '@payer-access/scopes';
import type { AuthorizationConfig } from '../authorization.config';

/** Where each protocol endpoint lives. The seed's paths are the defaults (seed 002). */
export interface OidcRoutes {
  authorization: string;
  token: string;
  revocation: string;
  introspection: string;
  jwks: string;
  userinfo: string;
  endSession: string;
  discovery: string;
  smartConfiguration: string;
  interaction: string;
}

export function oidcRoutes(config: AuthorizationConfig): OidcRoutes {
  // The published paths come from the rule the FHIR service publishes them by too.
  return { ...authorizationServerPaths(authorizationServerSettings(config)), endSession: '/session/end', interaction: '/interaction' };
}

/** The authorization server's public identity, as both services publish it. */
export function authorizationServerSettings(config: AuthorizationConfig): AuthorizationServerSettings {
  return { issuer: config.AUTHORIZATION_PUBLIC_URL, authorizePath: config.AUTHORIZE_PATH, tokenPath: config.TOKEN_PATH };
}
