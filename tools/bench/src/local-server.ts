import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a free loopback port. */
export function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** A progress line of the bench on stdout. */
export function log(message: string): void {
  process.stdout.write(`[bench] ${message}\n`);
}
