import type { INestApplication } from '@nestjs/common';
import { hstsMaxAge } from '@payer-access/config';
import type { EventBus } from '@payer-access/events';
import { createServiceApp, resolveMetricsPort, runService, trustProxies, type RunningService, type ServiceAppOptions, type ServiceDescriptor } from '@payer-access/http';
import { AppModule } from './app.module';
import type { RegistrationConfig } from './registration.config';

type ReadyRegistrationConfig = RegistrationConfig & { DATABASE_URL: string };

export interface RegistrationServiceOptions extends ServiceAppOptions {
  /** The one-process sandbox's shared bus; standalone, events go to Kafka (KAFKA_BROKERS). */
  eventBus?: EventBus;
}

export function registrationDescriptor(config: RegistrationConfig): ServiceDescriptor {
  return {
    name: 'registration',
    title: 'payer-access Registration API',
    description:
      'Developer, payer and staff accounts; application and payer registrations; review; client credentials. ' +
      'Log in with POST /v1/auth/login and send the access token as `Authorization: Bearer <token>`.',
    version: '1.0',
    publicUrl: config.REGISTRATION_PUBLIC_URL,
    configureDocument: (builder) =>
      builder
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Portal access token from POST /v1/auth/login' }, 'portal')
        .addTag('accounts', 'Sign-up and login')
        .addTag('registrations', 'Your application and payer registrations')
        .addTag('credentials', 'client_id and client secret of approved registrations')
        .addTag('admin', 'Plan staff: the review queue and status actions'),
  };
}

/** The registration service as a Nest application, not yet listening (tests drive it in-process). */
export async function createRegistrationApp(config: ReadyRegistrationConfig, options: RegistrationServiceOptions = {}): Promise<INestApplication> {
  const { eventBus, ...appOptions } = options;
  const app = await createServiceApp(AppModule.forRoot(config, { eventBus }), registrationDescriptor(config), { hstsMaxAgeSeconds: hstsMaxAge(config), ...appOptions });
  trustProxies(app, config.TRUST_PROXY_HOPS);
  return app;
}

/** Starts the registration service on its configured port. */
export async function startRegistrationService(config: ReadyRegistrationConfig, options: RegistrationServiceOptions = {}): Promise<RunningService> {
  const { eventBus, ...appOptions } = options;
  const running = await runService({
    module: AppModule.forRoot(config, { eventBus }),
    descriptor: registrationDescriptor(config),
    port: config.REGISTRATION_PORT,
    host: config.REGISTRATION_HOST,
    metricsPort: resolveMetricsPort(config.REGISTRATION_METRICS_PORT, config.REGISTRATION_PORT),
    hstsMaxAgeSeconds: hstsMaxAge(config),
    ...appOptions,
  });
  // Express reads the setting per request, so setting it right after listen covers every login.
  trustProxies(running.app, config.TRUST_PROXY_HOPS);
  return running;
}
