import type { INestApplication } from '@nestjs/common';
import { createServiceApp, type ServiceAppOptions, type ServiceDescriptor } from './service-app.factory';

export interface RunServiceOptions extends ServiceAppOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any;
  descriptor: ServiceDescriptor;
  port: number;
  host?: string;
}

export interface RunningService {
  app: INestApplication;
  /** The local URL the service listens on. */
  url: string;
}

/** Creates a service application and starts listening. */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const app = await createServiceApp(options.module, options.descriptor, options);
  const host = options.host ?? '0.0.0.0';
  await app.listen(options.port, host);
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { app, url: `http://${shownHost}:${options.port}` };
}
