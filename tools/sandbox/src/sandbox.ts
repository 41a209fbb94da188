import { createHash, randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { kafkaClientSecurity, loadConfig } from '@payer-access/config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@payer-access/database';
import { createEventBus, type EventBus } from '@payer-access/events';
import { startAuthorizationService } from '@payer-access/authorization-service';
import { fhirBaseUrl, startFhirService } from '@payer-access/fhir-service';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import { SAMPLE_APP_CLIENT, startRegistrationService } from '@payer-access/registration-service';
import { PortalConfig, startPortal } from '@payer-access/portal';
import { startSampleSmartApp } from '@payer-access/sample-smart-app';
import { SandboxConfig, SERVICE_CONFIGS, sandboxEnvironment } from './sandbox.config';

export type SandboxServiceName = 'registration' | 'authorization' | 'fhir' | 'portal';

export interface RunningSandbox {
  /** Base URL each service listens on. */
  urls: Record<SandboxServiceName, string>;
  /** Where the sample SMART app is served, when it is (sandbox profile, SAMPLE_APP_PORT not 0). */
  sampleAppUrl?: string;
  /** The database every service and the event log live in. */
  databaseUrl: string;
  /** Closes the services, then the bus, then the embedded PostgreSQL if one was started. */
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** Where the settings come from (`npm start`: the process environment). */
  env?: NodeJS.ProcessEnv;
  /** Progress lines. */
  log?: (message: string) => void;
  /** Nest log levels of the three services. */
  logLevels?: ('error' | 'warn' | 'log')[] | false;
}

/**
 * The whole platform in one process: a real PostgreSQL (embedded unless DATABASE_URL is given),
 * the three services, and one event bus they share — the durable PostgreSQL event log in the same
 * database, or Kafka when KAFKA_BROKERS is set. Stopping and starting it again on the same
 * database finds every account, client, status and revocation as it was.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  // `npm start` is the sandbox unless told otherwise; the services' own default is production.
  const env = sandboxEnvironment(options.env ?? process.env);
  const log = options.log ?? (() => undefined);
  const sandbox = loadConfig(SandboxConfig, env);
  const configs = {
    registration: loadConfig(SERVICE_CONFIGS.registration, env),
    authorization: loadConfig(SERVICE_CONFIGS.authorization, env),
    fhir: loadConfig(SERVICE_CONFIGS.fhir, env),
  };
  const portalConfig = loadConfig(PortalConfig, env);
  // The approval email links to the portal that runs beside the service, unless told otherwise.
  configs.registration.PORTAL_PUBLIC_URL ??= portalConfig.PORTAL_PUBLIC_URL;
  // The connected-apps page asks the FHIR access audit who read a member's data: in one process,
  // both sides get a credential made for this run unless the deployment set its own.
  if (!configs.fhir.AUDIT_READER_TOKEN_SHA256 && !configs.authorization.FHIR_AUDIT_READER_TOKEN) {
    const reader = randomBytes(32).toString('base64url');
    configs.authorization.FHIR_AUDIT_READER_TOKEN = reader;
    configs.fhir.AUDIT_READER_TOKEN_SHA256 = createHash('sha256').update(reader).digest('hex');
  }

  // The sample SMART app is a sandbox convenience: registered as an approved public client at
  // start, like the seed's demo client, and served on its own origin.
  const sampleApp = configs.registration.PROFILE === 'sandbox' && sandbox.SAMPLE_APP_PORT !== 0;
  if (sampleApp) configs.registration.SANDBOX_SAMPLE_APP_URL ??= sandbox.SAMPLE_APP_PUBLIC_URL;

  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = configs.registration.DATABASE_URL;
  if (!databaseUrl) {
    log(`starting embedded PostgreSQL (data in ${sandbox.EMBEDDED_POSTGRES_DIR})`);
    embedded = await startEmbeddedPostgres({ dataDir: sandbox.EMBEDDED_POSTGRES_DIR, port: sandbox.EMBEDDED_POSTGRES_PORT });
    databaseUrl = embedded.url;
  }

  // One bus shared by the three services: the PostgreSQL event log in the same database, so that a
  // restart finds every client and revocation again; or Kafka when KAFKA_BROKERS is set.
  const eventBus: EventBus = createEventBus({ brokers: configs.registration.KAFKA_BROKERS, databaseUrl, clientId: 'payer-access-sandbox', ...kafkaClientSecurity(configs.registration) });

  const apps: INestApplication[] = [];
  let stopPortal: (() => Promise<void>) | undefined;
  let closeSampleApp: (() => Promise<void>) | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await closeSampleApp?.().catch(() => undefined);
      await stopPortal?.().catch(() => undefined);
      for (const app of apps.reverse()) await app.close().catch(() => undefined);
      await eventBus.stop().catch(() => undefined);
      await embedded?.stop().catch(() => undefined);
    })());

  try {
    const logger = options.logLevels ?? (['error', 'warn'] as ('error' | 'warn')[]);
    const serviceOptions = { logger, shutdownHooks: false, eventBus };
    const registration = await startRegistrationService({ ...configs.registration, DATABASE_URL: databaseUrl }, serviceOptions);
    apps.push(registration.app);
    const authorization = await startAuthorizationService({ ...configs.authorization, DATABASE_URL: databaseUrl }, serviceOptions);
    apps.push(authorization.app);
    const fhir = await startFhirService({ ...configs.fhir, DATABASE_URL: databaseUrl }, { ...serviceOptions, sandboxData: sandboxDataSet });
    apps.push(fhir.app);
    // The portal speaks to the registration API it was started with, unless REGISTRATION_API_URL says otherwise.
    const portal = await startPortal({ ...portalConfig, REGISTRATION_API_URL: env.REGISTRATION_API_URL?.trim() || registration.url });
    stopPortal = portal.stop;
    let sampleAppUrl: string | undefined;
    if (sampleApp) {
      const served = await startSampleSmartApp({
        port: sandbox.SAMPLE_APP_PORT,
        host: sandbox.SAMPLE_APP_HOST,
        fhirBaseUrl: fhirBaseUrl(configs.fhir),
        authorizationUrl: configs.authorization.AUTHORIZATION_PUBLIC_URL,
        clientId: SAMPLE_APP_CLIENT.clientId,
      });
      closeSampleApp = served.close;
      sampleAppUrl = configs.registration.SANDBOX_SAMPLE_APP_URL;
    }
    return { urls: { registration: registration.url, authorization: authorization.url, fhir: fhir.url, portal: portal.url }, sampleAppUrl, databaseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
