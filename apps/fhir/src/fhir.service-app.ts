import type { INestApplication } from '@nestjs/common';
import { createServiceApp, runService, type RunningService, type ServiceAppOptions, type ServiceDescriptor } from '@payer-access/http';
import { AppModule } from './app.module';
import type { FhirConfig } from './fhir.config';

type ReadyFhirConfig = FhirConfig & { DATABASE_URL: string };

export function fhirDescriptor(config: FhirConfig): ServiceDescriptor {
  return {
    name: 'fhir',
    title: 'payer-access FHIR Patient Access API',
    description: 'FHIR R4 Patient Access API: Patient, Coverage, ExplanationOfBenefit and US Core clinical resources.',
    version: '1.0',
    publicUrl: config.FHIR_PUBLIC_URL,
  };
}

/** The fhir service as a Nest application, not yet listening (tests drive it in-process). */
export function createFhirApp(config: ReadyFhirConfig, options?: ServiceAppOptions): Promise<INestApplication> {
  return createServiceApp(AppModule.forRoot(config), fhirDescriptor(config), options);
}

/** Starts the fhir service on its configured port. */
export function startFhirService(config: ReadyFhirConfig, options?: ServiceAppOptions): Promise<RunningService> {
  return runService({
    module: AppModule.forRoot(config),
    descriptor: fhirDescriptor(config),
    port: config.FHIR_PORT,
    host: config.FHIR_HOST,
    ...options,
  });
}
