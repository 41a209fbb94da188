import { type INestApplication, type LoggerService, type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export interface ServiceDescriptor {
  /** Short name used in logs and health responses: `registration`, `authorization`, `fhir`. */
  name: string;
  title: string;
  description: string;
  version: string;
  /** Where the service is reached from outside, for the OpenAPI `servers` entry. */
  publicUrl?: string;
  /** Extra OpenAPI setup: security schemes, tags. */
  configureDocument?: (builder: DocumentBuilder) => DocumentBuilder;
}

export interface ServiceAppOptions {
  logger?: LoggerService | LogLevel[] | false;
  /** Close on SIGTERM/SIGINT (default). A host running several services handles signals itself. */
  shutdownHooks?: boolean;
}

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/**
 * Creates a service's Nest application with the conventions every service shares: strict
 * request validation (unknown fields are refused, not ignored), graceful shutdown, and the
 * Swagger UI at /docs with the OpenAPI document beside it at /docs-json.
 */
export async function createServiceApp(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any,
  descriptor: ServiceDescriptor,
  options: ServiceAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: options.logger, abortOnError: false });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
  );
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  const http = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  http.disable?.('x-powered-by');
  const document = buildOpenApiDocument(app, descriptor);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    customSiteTitle: descriptor.title,
  });
  return app;
}

export function buildOpenApiDocument(app: INestApplication, descriptor: ServiceDescriptor): OpenAPIObject {
  let builder = new DocumentBuilder()
    .setTitle(descriptor.title)
    .setDescription(descriptor.description)
    .setVersion(descriptor.version);
  if (descriptor.publicUrl) builder = builder.addServer(descriptor.publicUrl);
  if (descriptor.configureDocument) builder = descriptor.configureDocument(builder);
  return SwaggerModule.createDocument(app, builder.build());
}
