import { type INestApplication, Logger, type LoggerService, type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { protectiveHeaders } from './edge/protective-headers';
import { bodyParsers, urlGuard } from './edge/request-guard';
import { JsonLogger } from './observability/json-logger';
import { ServiceMetrics } from './observability/metrics';

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
  /** Whether any route reads a request body (default true). A read-only API never parses one. */
  acceptsBodies?: boolean;
  /** Every response may carry health data: `Cache-Control: no-store` on all of them. */
  noStore?: boolean;
  /** Routes served outside Nest's controllers (e.g. by mounted middleware), added to the generated document. */
  extendDocument?: (document: OpenAPIObject) => void;
}

export interface ServiceAppOptions {
  /** Default: JSON lines on stdout (pino) at `logLevel`. */
  logger?: LoggerService | LogLevel[] | false;
  logLevel?: string;
  /** Close on SIGTERM/SIGINT (default). A host running several services handles signals itself. */
  shutdownHooks?: boolean;
  /** `Strict-Transport-Security` max-age in seconds; 0 or unset sends none. */
  hstsMaxAgeSeconds?: number;
  /**
   * Middleware that must see requests after the edge checks but before the body parsers, such as a
   * mounted protocol engine that reads its own bodies.
   */
  beforeBodyParsers?: (app: INestApplication) => void;
}

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/**
 * Creates a service's Nest application with the conventions every service shares: protective
 * headers, requests refused at the edge when their path, query or body holds what no route can
 * store (NUL, broken UTF-8, bodies too large or too deep), strict request validation (unknown
 * fields are refused, not ignored), graceful shutdown, and the Swagger UI at /docs with the
 * OpenAPI document beside it at /docs-json. Metrics are not served here: see `runService`.
 */
export async function createServiceApp(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any,
  descriptor: ServiceDescriptor,
  options: ServiceAppOptions = {},
): Promise<INestApplication> {
  const logger = options.logger ?? new JsonLogger(descriptor.name, options.logLevel ?? 'info');
  const app = await NestFactory.create(module, { logger, abortOnError: false, bodyParser: false });
  const metrics = serviceMetrics(app, descriptor.name);
  app.use(metrics.middleware());
  app.use(requestLog());
  app.use(protectiveHeaders({ hstsMaxAgeSeconds: options.hstsMaxAgeSeconds, noStore: descriptor.noStore }));
  app.use(urlGuard());
  options.beforeBodyParsers?.(app);
  if (descriptor.acceptsBodies ?? true) for (const middleware of bodyParsers()) app.use(middleware);
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
  const document = SwaggerModule.createDocument(app, builder.build());
  descriptor.extendDocument?.(document);
  return document;
}

/**
 * Which address a request comes from, for limits counted per client address: behind `hops` trusted
 * reverse proxies, the address they add to X-Forwarded-For; with none, the socket's peer.
 * Express reads the setting per request, so it may be set after the app listens.
 */
export function trustProxies(app: INestApplication, hops: number): void {
  const express = app.getHttpAdapter().getInstance() as { set?: (setting: string, value: unknown) => void };
  express.set?.('trust proxy', hops);
}

/** The metrics registry of a service application, whose `handler()` and `listen()` serve it. */
export function serviceMetrics(app: INestApplication, service = 'service'): ServiceMetrics {
  let metrics = standaloneMetrics.get(app);
  if (metrics) return metrics;
  try {
    return app.get(ServiceMetrics, { strict: false });
  } catch {
    metrics = new ServiceMetrics(service);
    standaloneMetrics.set(app, metrics);
    return metrics;
  }
}

/** Registries of applications built without the health module, one each. */
const standaloneMetrics = new WeakMap<INestApplication, ServiceMetrics>();

/** One line per answered request: method, route pattern, status and time; never ids, queries or headers. */
function requestLog() {
  const logger = new Logger('http');
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const route = (request as Request & { route?: { path?: string } }).route?.path ?? 'unmatched';
      logger.log({
        msg: 'request',
        method: request.method,
        route: `${request.baseUrl ?? ''}${route}`,
        status: response.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  };
}
