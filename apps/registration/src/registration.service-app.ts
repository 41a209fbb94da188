import type { INestApplication } from '@nestjs/common';
import { createServiceApp, runService, type RunningService, type ServiceAppOptions, type ServiceDescriptor } from '@payer-access/http';
import { AppModule } from './app.module';
import type { RegistrationConfig } from './registration.config';

type ReadyRegistrationConfig = RegistrationConfig & { DATABASE_URL: string };

export function registrationDescriptor(config: RegistrationConfig): ServiceDescriptor {
  return {
    name: 'registration',
    title: 'payer-access Registration API',
    description: 'Developer, payer and staff accounts; application and payer registrations; review; client credentials.',
    version: '1.0',
    publicUrl: config.REGISTRATION_PUBLIC_URL,
  };
}

/** The registration service as a Nest application, not yet listening (tests drive it in-process). */
export function createRegistrationApp(config: ReadyRegistrationConfig, options?: ServiceAppOptions): Promise<INestApplication> {
  return createServiceApp(AppModule.forRoot(config), registrationDescriptor(config), options);
}

/** Starts the registration service on its configured port. */
export function startRegistrationService(config: ReadyRegistrationConfig, options?: ServiceAppOptions): Promise<RunningService> {
  return runService({
    module: AppModule.forRoot(config),
    descriptor: registrationDescriptor(config),
    port: config.REGISTRATION_PORT,
    host: config.REGISTRATION_HOST,
    ...options,
  });
}
