import type { PlatformConfig } from './platform.config';

/**
 * A service started on its own needs an explicit database; only the one-process sandbox
 * (`npm start`) may start an embedded one. Exits with one clear line otherwise.
 */
export function requireDatabaseUrl<T extends PlatformConfig>(config: T): T & { DATABASE_URL: string } {
  if (!config.DATABASE_URL) {
    process.stderr.write('Invalid configuration: DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)\n');
    process.exit(78);
  }
  return config as T & { DATABASE_URL: string };
}
