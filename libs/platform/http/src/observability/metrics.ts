import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One partition read by one consumer group (the events library's `ConsumerPartition`). */
export interface ConsumerPartitionLabels {
  topic: string;
  group: string;
  partition: number;
}

/**
 * Prometheus metrics of one service. Each service has its own registry, so that three
 * services in one process (the sandbox) still expose their own figures. It also receives what the
 * events library reports (its `EventsMetrics`): consumer lag and outbox backlog.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly kafkaConsumerLag: Gauge<'topic' | 'group' | 'partition'>;
  private outboxCount: (() => Promise<number>) | undefined;

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
    this.kafkaConsumerLag = this.gauge(
      'kafka_consumer_lag',
      'Events a consumer group has still to handle on a partition this instance reads (high watermark minus the group\'s position).',
      ['topic', 'group', 'partition'],
    );
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => Promise<void>): Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Gauge<L>;
    return new Gauge<L>({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      ...(collect ? { collect(this: Gauge<L>) { return collect(this); } } : {}),
    });
  }

  consumerLag(partition: ConsumerPartitionLabels, lag: number): void {
    this.kafkaConsumerLag.set(lagLabels(partition), lag);
  }

  forgetConsumerLag(partition: ConsumerPartitionLabels): void {
    this.kafkaConsumerLag.remove(lagLabels(partition));
  }

  /** The service's outbox is counted when metrics are collected; an unreachable database keeps the last figure. */
  outboxBacklog(count: () => Promise<number>): void {
    this.outboxCount = count;
    this.gauge('outbox_pending_events', 'Events written to the transactional outbox and not yet published.', [], async (gauge) => {
      try {
        if (this.outboxCount) gauge.set(await this.outboxCount());
      } catch {
        // Readiness reports the database; the scrape still answers.
      }
    });
  }

  /** An event refused for good and parked on `<topic>.dlq`; labels are the platform's topics and a fixed set of reasons. */
  deadLettered(topic: string, reason: string): void {
    this.counter('events_dead_lettered_total', 'Events consumers refused (bad signature, not JSON, invalid, forbidden transition) and parked on the dead-letter topic, by topic and reason.', ['topic', 'reason']).inc({ topic, reason });
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

  /**
   * The text exposition format on GET /metrics, as a plain Node request handler: it is served on a
   * port of its own (`listen`), never beside the public API, whose callers have no business reading
   * the service's internals.
   */
  handler(): (request: IncomingMessage, response: ServerResponse) => void {
    return (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.statusCode = path === '/metrics' ? 405 : 404;
        response.end();
        return;
      }
      void this.registry.metrics().then(
        (text) => {
          response.setHeader('Content-Type', this.registry.contentType);
          response.setHeader('Cache-Control', 'no-store');
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        () => {
          response.statusCode = 500;
          response.end();
        },
      );
    };
  }

  /** Starts the metrics listener; it closes with the server it is tied to. */
  async listen(port: number, host: string, closesWith?: Server): Promise<Server> {
    const server = createServer(this.handler());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    closesWith?.once('close', () => server.close());
    return server;
  }
}

function lagLabels({ topic, group, partition }: ConsumerPartitionLabels): Record<'topic' | 'group' | 'partition', string> {
  return { topic, group, partition: String(partition) };
}

function routePattern(request: Request): string {
  const route = (request as Request & { route?: { path?: string } }).route?.path;
  if (route) return `${request.baseUrl ?? ''}${route}`;
  // Requests no Nest route matched (a mounted protocol engine, a 404) share one label.
  return 'unmatched';
}
