import type { INestApplication } from '@nestjs/common';
import { createServiceApp, trustProxies, type RunningService, type ServiceAppOptions, type ServiceDescriptor } from '@payer-access/http';
import { AppModule, type AuthorizationModuleOptions } from './app.module';
import { type AuthorizationConfig, pkceAllowsPlain } from './authorization.config';
import { OidcProviderHost } from './oidc/oidc-provider.host';
import { endpointRateLimitMiddleware } from './oidc/endpoint-rate-limit.middleware';
import { addOidcRoutesToDocument } from './oidc/oidc-openapi';
import { oidcRoutes } from './oidc/oidc-routes';
import { providerMountMiddleware } from './oidc/provider-mount.middleware';
import { StructuredTokenEndpoints } from './tokens/structured-token.endpoints';

type ReadyAuthorizationConfig = AuthorizationConfig & { DATABASE_URL: string };

export type AuthorizationAppOptions = ServiceAppOptions & AuthorizationModuleOptions;

export function authorizationDescriptor(config: AuthorizationConfig): ServiceDescriptor {
  return {
    name: 'authorization',
    title: 'payer-access Authorization Server',
    description:
      'OAuth 2.0, OpenID Connect and SMART App Launch for members authorizing apps: authorize, token ' +
      '(authorization_code, refresh_token, client_credentials), revocation, introspection, userinfo, JWKS, and the ' +
      'OpenID and SMART discovery documents, at the paths this deployment configured.',
    version: '1.0',
    publicUrl: config.AUTHORIZATION_PUBLIC_URL,
    configureDocument: (builder) => builder.addBearerAuth(),
    // oidc-provider serves the protocol endpoints as middleware, out of Nest's sight.
    extendDocument: (document) => addOidcRoutesToDocument(document, oidcRoutes(config), config),
  };
}

/** The authorization service as a Nest application, not yet listening (tests drive it in-process). */
export async function createAuthorizationApp(config: ReadyAuthorizationConfig, options: AuthorizationAppOptions = {}): Promise<INestApplication> {
  const { eventBus, ...appOptions } = options;
  const app = await createServiceApp(AppModule.forRoot(config, { eventBus }), authorizationDescriptor(config), appOptions);
  // Member logins are also limited per client address: behind proxies, the one they forward.
  trustProxies(app, config.TRUST_PROXY_HOPS);
  // Ahead of the provider: a flood is refused before any client secret is checked.
  app.use(endpointRateLimitMiddleware(oidcRoutes(config), config));
  // Ahead of Nest's body parsers: the provider reads its own request bodies.
  app.use(providerMountMiddleware(app.get(OidcProviderHost), app.get(StructuredTokenEndpoints), {
    allowPlainPkce: pkceAllowsPlain(config),
    sandboxDefaults: config.PROFILE === 'sandbox',
    publicUrl: config.AUTHORIZATION_PUBLIC_URL,
  }));
  return app;
}

/** Starts the authorization service on its configured port. */
export async function startAuthorizationService(config: ReadyAuthorizationConfig, options: AuthorizationAppOptions = {}): Promise<RunningService> {
  const app = await createAuthorizationApp(config, options);
  const host = config.AUTHORIZATION_HOST;
  await app.listen(config.AUTHORIZATION_PORT, host);
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { app, url: `http://${shownHost}:${config.AUTHORIZATION_PORT}` };
}
