import type { INestApplication } from '@nestjs/common';
import { hstsMaxAge } from '@payer-access/config';
import { createServiceApp, listenService, resolveMetricsPort, trustProxies, type RunningService, type ServiceAppOptions, type ServiceDescriptor } from '@payer-access/http';
import { AppModule, type AuthorizationModuleOptions } from './app.module';
import { type AuthorizationConfig, pkceAllowsPlain } from './authorization.config';
import { OidcProviderHost } from './oidc/oidc-provider.host';
import { endpointRateLimitMiddleware } from './oidc/endpoint-rate-limit.middleware';
import { addOidcRoutesToDocument } from './oidc/oidc-openapi';
import { oidcRoutes } from './oidc/oidc-routes';
import { ClientProjectionService } from './clients/client-projection.service';
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
  const app = await createServiceApp(AppModule.forRoot(config, { eventBus }), authorizationDescriptor(config), {
    hstsMaxAgeSeconds: hstsMaxAge(config),
    ...appOptions,
    // Ahead of the body parsers: the provider reads its own request bodies, and a flood is refused
    // before any client secret is checked.
    beforeBodyParsers: (created) => {
      created.use(endpointRateLimitMiddleware(oidcRoutes(config), config));
      created.use(providerMountMiddleware(created.get(OidcProviderHost), created.get(StructuredTokenEndpoints), {
        allowPlainPkce: pkceAllowsPlain(config),
        sandboxDefaults: config.PROFILE === 'sandbox',
        publicUrl: config.AUTHORIZATION_PUBLIC_URL,
        clientStatusFreshness: created.get(ClientProjectionService).freshness,
      }));
    },
  });
  // Member logins are also limited per client address: behind proxies, the one they forward.
  trustProxies(app, config.TRUST_PROXY_HOPS);
  return app;
}

/** Starts the authorization service on its configured port. */
export async function startAuthorizationService(config: ReadyAuthorizationConfig, options: AuthorizationAppOptions = {}): Promise<RunningService> {
  const app = await createAuthorizationApp(config, options);
  return listenService(app, config.AUTHORIZATION_PORT, config.AUTHORIZATION_HOST, resolveMetricsPort(config.AUTHORIZATION_METRICS_PORT, config.AUTHORIZATION_PORT));
}
