import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, ConfigValidationError } from '@payer-access/config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@payer-access/database';
import { createEventBus } from '@payer-access/events';
import { startAuthorizationService } from '@payer-access/authorization-service';
import { startFhirService } from '@payer-access/fhir-service';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import { startRegistrationService } from '@payer-access/registration-service';
import { SandboxConfig, SERVICE_CONFIGS, sandboxEnvironment } from './sandbox.config';

/**
 * `npm start`: the whole platform in one process on the sandbox defaults — a real PostgreSQL
 * (embedded unless DATABASE_URL is given) and the three services on 3001/3002/3003.
 */
async function main(): Promise<void> {
  const env = sandboxEnvironment(process.env);
  const sandbox = loadConfig(SandboxConfig, env);
  const configs = {
    registration: loadConfig(SERVICE_CONFIGS.registration, env),
    authorization: loadConfig(SERVICE_CONFIGS.authorization, env),
    fhir: loadConfig(SERVICE_CONFIGS.fhir, env),
  };

  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = configs.registration.DATABASE_URL;
  if (!databaseUrl) {
    log(`starting embedded PostgreSQL (data in ${sandbox.EMBEDDED_POSTGRES_DIR})`);
    embedded = await startEmbeddedPostgres({ dataDir: sandbox.EMBEDDED_POSTGRES_DIR, port: sandbox.EMBEDDED_POSTGRES_PORT });
    databaseUrl = embedded.url;
  }

  // One bus shared by the three services: in-process, or Kafka when KAFKA_BROKERS is set.
  const eventBus = createEventBus({ brokers: configs.registration.KAFKA_BROKERS, clientId: 'payer-access-sandbox' });

  const apps: INestApplication[] = [];
  let stopping = false;
  const stop = async (reason: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping`);
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await eventBus.stop().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    const options = { logger: ['error', 'warn'] as ('error' | 'warn')[], shutdownHooks: false };
    const registration = await startRegistrationService({ ...configs.registration, DATABASE_URL: databaseUrl }, { ...options, eventBus });
    apps.push(registration.app);
    const authorization = await startAuthorizationService({ ...configs.authorization, DATABASE_URL: databaseUrl }, { ...options, eventBus });
    apps.push(authorization.app);
    const fhir = await startFhirService({ ...configs.fhir, DATABASE_URL: databaseUrl }, { ...options, eventBus, sandboxData: sandboxDataSet });
    apps.push(fhir.app);

    log('payer-access sandbox is running (Ctrl-C stops it)');
    for (const [name, service] of Object.entries({ registration, authorization, fhir })) {
      log(`  ${name.padEnd(14)} ${service.url}   health ${service.url}/health   docs ${service.url}/docs`);
    }
  } catch (error) {
    log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    await stop('startup failure', 1);
  }
}

function log(message: string): void {
  process.stdout.write(`[sandbox] ${message}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
