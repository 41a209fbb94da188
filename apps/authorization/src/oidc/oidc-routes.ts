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
  const base = config.TOKEN_PATH.replace(/\/[^/]*$/, '');
  return {
    authorization: config.AUTHORIZE_PATH,
    token: config.TOKEN_PATH,
    revocation: `${base}/revoke`,
    introspection: `${base}/introspect`,
    jwks: '/jwks',
    userinfo: '/connect/userinfo',
    endSession: '/session/end',
    discovery: '/.well-known/openid-configuration',
    smartConfiguration: '/.well-known/smart-configuration',
    interaction: '/interaction',
  };
}
