import type { INestApplication } from '@nestjs/common';
import { createServiceApp, runService, type RunningService, type ServiceAppOptions, type ServiceDescriptor } from '@payer-access/http';
import { AppModule } from './app.module';
import type { AuthorizationConfig } from './authorization.config';

type ReadyAuthorizationConfig = AuthorizationConfig & { DATABASE_URL: string };

export function authorizationDescriptor(config: AuthorizationConfig): ServiceDescriptor {
  return {
    name: 'authorization',
    title: 'payer-access Authorization Server',
    description: 'OAuth 2.0, OpenID Connect and SMART App Launch for members authorizing apps.',
    version: '1.0',
    publicUrl: config.AUTHORIZATION_PUBLIC_URL,
  };
}

/** The authorization service as a Nest application, not yet listening (tests drive it in-process). */
export function createAuthorizationApp(config: ReadyAuthorizationConfig, options?: ServiceAppOptions): Promise<INestApplication> {
  return createServiceApp(AppModule.forRoot(config), authorizationDescriptor(config), options);
}

/** Starts the authorization service on its configured port. */
export function startAuthorizationService(config: ReadyAuthorizationConfig, options?: ServiceAppOptions): Promise<RunningService> {
  return runService({
    module: AppModule.forRoot(config),
    descriptor: authorizationDescriptor(config),
    port: config.AUTHORIZATION_PORT,
    host: config.AUTHORIZATION_HOST,
    ...options,
  });
}
