import type { INestApplication } from '@nestjs/common';
import { hstsMaxAge } from '@payer-access/config';
import { bodyParsersFor, createServiceApp, listenService, resolveMetricsPort, type RunningService, type ServiceAppOptions, type ServiceDescriptor } from '@payer-access/http';
import { AppModule } from './app.module';
import { fhirCors } from './common/cors.middleware';
import { BULK_MEMBER_MATCH_BODY_LIMIT_BYTES } from './payer/bulk/bulk-member-match.parameters';
import type { FhirModuleOptions } from './fhir-core.module';
import type { FhirConfig } from './fhir.config';

type ReadyFhirConfig = FhirConfig & { DATABASE_URL: string };

export type FhirServiceOptions = ServiceAppOptions & FhirModuleOptions;

export function fhirDescriptor(config: FhirConfig): ServiceDescriptor {
  return {
    name: 'fhir',
    title: 'payer-access FHIR Patient Access API',
    description:
      'FHIR R4 Patient Access API: Patient, Coverage, ExplanationOfBenefit and US Core clinical resources. Every route but /metadata needs a Bearer access token from the authorization service.',
    version: '1.0',
    publicUrl: config.FHIR_PUBLIC_URL,
    // A read-only API but for `$member-match` and `$bulk-member-match`: no other route reads a body, so none is parsed
    // (see `configureHttp`).
    acceptsBodies: false,
    noStore: true,
    configureDocument: (builder) => builder.addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
  };
}

function split(options: FhirServiceOptions): { app: ServiceAppOptions; module: FhirModuleOptions } {
  const { eventBus, sandboxData, ...app } = options;
  return { app, module: { eventBus, sandboxData } };
}

/**
 * Reads answer with the resource version as their ETag; Express's default of hashing every response
 * body for one would cost a SHA-1 of each searchset Bundle for nothing. CORS comes before routing,
 * so it must be in place before the application initializes.
 */
function configureHttp(app: INestApplication, config: FhirConfig): INestApplication {
  (app.getHttpAdapter().getInstance() as { set(setting: string, value: unknown): void }).set('etag', false);
  app.use(fhirCors());
  // `$member-match` is the one operation with a body: JSON parsed with the edge's size, depth and text limits.
  const memberMatch = `${config.FHIR_BASE_PATH.replace(/\/+$/, '')}/Patient/$member-match`;
  app.use(bodyParsersFor((request) => request.method === 'POST' && request.path === memberMatch));
  // `$bulk-member-match` carries up to MAX_MEMBER_BUNDLES members of about 1.5 kB each.
  const bulkMemberMatch = `${config.FHIR_BASE_PATH.replace(/\/+$/, '')}/Group/$bulk-member-match`;
  app.use(bodyParsersFor((request) => request.method === 'POST' && request.path === bulkMemberMatch, BULK_MEMBER_MATCH_BODY_LIMIT_BYTES));
  return app;
}

/** The fhir service as a Nest application, not yet listening (tests drive it in-process). */
export async function createFhirApp(config: ReadyFhirConfig, options: FhirServiceOptions = {}): Promise<INestApplication> {
  const { app, module } = split(options);
  return configureHttp(await createServiceApp(AppModule.forRoot(config, module), fhirDescriptor(config), { hstsMaxAgeSeconds: hstsMaxAge(config), ...app }), config);
}

/** Starts the fhir service on its configured port. */
export async function startFhirService(config: ReadyFhirConfig, options: FhirServiceOptions = {}): Promise<RunningService> {
  const app = await createFhirApp(config, options);
  return listenService(app, config.FHIR_PORT, config.FHIR_HOST, resolveMetricsPort(config.FHIR_METRICS_PORT, config.FHIR_PORT));
}
