import type { INestApplication } from '@nestjs/common';
import { createServiceApp, serviceMetrics, type ServiceAppOptions, type ServiceDescriptor } from './service-app.factory';

export interface RunServiceOptions extends ServiceAppOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any;
  descriptor: ServiceDescriptor;
  port: number;
  host?: string;
  /** Port of the Prometheus listener (`resolveMetricsPort`); false: none. */
  metricsPort?: number | false;
}

export interface RunningService {
  app: INestApplication;
  /** The local URL the service listens on. */
  url: string;
  /** The local URL of its metrics listener (`${metricsUrl}/metrics`), when it has one. */
  metricsUrl?: string;
}

/** Creates a service application and starts listening. */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const app = await createServiceApp(options.module, options.descriptor, options);
  return listenService(app, options.port, options.host ?? '0.0.0.0', options.metricsPort ?? false);
}

/**
 * Starts a created service on its public port and, unless it is `false`, its metrics on another:
 * scrapers reach that one on the internal network while only the public port is exposed.
 */
export async function listenService(app: INestApplication, port: number, host: string, metricsPort: number | false): Promise<RunningService> {
  await app.listen(port, host);
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const running: RunningService = { app, url: `http://${shownHost}:${boundPort(app.getHttpServer(), port)}` };
  if (metricsPort !== false) {
    const server = await serviceMetrics(app).listen(metricsPort, host, app.getHttpServer());
    running.metricsUrl = `http://${shownHost}:${boundPort(server, metricsPort)}`;
  }
  return running;
}

/**
 * The metrics port a setting names: `off` for none, a number, or unset for the public port plus
 * 1000 (an ephemeral public port gets an ephemeral metrics port).
 */
export function resolveMetricsPort(setting: string | undefined, publicPort: number): number | false {
  if (setting === 'off') return false;
  if (setting !== undefined && setting !== '') return Number(setting);
  // An ephemeral public port, or one too high to have a neighbour 1000 up, gets an ephemeral metrics port.
  return publicPort === 0 || publicPort + 1000 > 65_535 ? 0 : publicPort + 1000;
}

function boundPort(server: { address(): unknown }, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address !== null && 'port' in address ? Number((address as { port: number }).port) : fallback;
}
