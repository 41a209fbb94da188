import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one service. Each service has its own registry, so that three
 * services in one process (the sandbox) still expose their own figures.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  /** Records every request by its route pattern (`/Patient/:id`), never its concrete path. */
  middleware() {
    return (request: Request, response: Response, next: NextFunction): void => {
      const stop = this.httpDuration.startTimer();
      response.on('finish', () => {
        const route = routePattern(request);
        const labels = { method: request.method, route, status: String(response.statusCode) };
        stop(labels);
        this.httpRequests.inc(labels);
      });
      next();
    };
  }

  /** Serves the text exposition format on GET /metrics. */
  mount(app: INestApplication): void {
    const http = app.getHttpAdapter().getInstance() as {
      get: (path: string, handler: (request: Request, response: Response) => void) => void;
    };
    http.get('/metrics', (_request, response) => {
      void this.registry.metrics().then((text) => {
        response.setHeader('Content-Type', this.registry.contentType);
        response.end(text);
      });
    });
  }
}

function routePattern(request: Request): string {
  const route = (request as Request & { route?: { path?: string } }).route?.path;
  if (route) return `${request.baseUrl ?? ''}${route}`;
  // Requests no Nest route matched (a mounted protocol engine, a 404) share one label.
  return 'unmatched';
}
