import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, createClientStatusHeartbeat, type ClientStatus, type RegistrationKind } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus, platformTopicSpecs, sandboxProducers, type EventBus } from '@payer-access/events';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { ClientStatusCache } from '../../src/events/client-status.cache';
import { FhirConfig, fhirBaseUrl } from '../../src/fhir.config';
import { createFhirApp } from '../../src/fhir.service-app';
import { TestClientEvents } from './client-events';
import { TestTokenIssuer } from './token-issuer';

export const BASE_PATH = '/fhir/sb/R4/patientaccess';

export interface FhirTestApp {
  app: INestApplication;
  /**
   * Publishes on the bus the service follows as registration and authorization would, each event
   * signed with its producer's sandbox key.
   */
  bus: EventBus;
  /** The bus itself: what anyone who reaches it can write, unsigned. */
  rawBus: InProcessEventBus;
  /** Signs access tokens the service accepts (its JWKS is the service's issuer). */
  issuer: TestTokenIssuer;
  database: TestDatabase;
  /** The FHIR base URL tokens name as their audience. */
  fhirBase: string;
  /**
   * Publishes the client's next version with this status, as registration would, and waits until
   * the service's status cache has it, without a request (which would count as one refused).
   */
  setClientStatus(clientId: string, status: ClientStatus, options?: RegistrationKind | { notBefore?: Date; kind?: RegistrationKind }): Promise<void>;
  /** Publishes registration's signed heartbeat with this watermark (default now) and waits until it is applied. */
  heartbeat(watermark?: Date): Promise<void>;
  close(): Promise<void>;
}

/**
 * The fhir service in-process on a fresh PostgreSQL database, with an issuer of test tokens; or on
 * `options.database`, another instance's (a restart), which `close` then leaves in place.
 * Registration does not run here, so no heartbeat comes unless a test sends one (`heartbeat`): the
 * staleness bound is off unless `env` sets CLIENT_STATUS_MAX_STALENESS_SECONDS.
 */
export async function startFhirTestApp(env: Record<string, string> = {}, options: { database?: TestDatabase } = {}): Promise<FhirTestApp> {
  const database = options.database ?? (await createTestDatabase());
  const fhirBase = fhirBaseUrl({ FHIR_PUBLIC_URL: 'http://localhost:3003', FHIR_BASE_PATH: BASE_PATH });
  const issuer = new TestTokenIssuer(fhirBase);
  await issuer.start();
  const rawBus = new InProcessEventBus();
  await rawBus.ensureTopics(platformTopicSpecs());
  const bus = await sandboxProducers(rawBus);
  const config = loadConfig(FhirConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: issuer.issuer, CLIENT_STATUS_MAX_STALENESS_SECONDS: '0', ...env });
  const app = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: rawBus });
  await app.init();
  const events = new TestClientEvents();
  return {
    app,
    bus,
    rawBus,
    issuer,
    database,
    fhirBase,
    setClientStatus: async (clientId, status, kindOrOptions = {}) => {
      const options = typeof kindOrOptions === 'string' ? { kind: kindOrOptions } : kindOrOptions;
      const event = events.next(clientId, status, options);
      await bus.publish(CLIENT_CHANGED_TOPIC, [{ key: clientId, value: event }]);
      const deadline = Date.now() + 5_000;
      while (app.get(ClientStatusCache).statusOf(clientId) !== status) {
        if (Date.now() > deadline) throw new Error(`client ${clientId} not ${status} in time`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    heartbeat: async (watermark = new Date()) => {
      // Applied, the view is current as of the watermark, or of now if that is earlier.
      const target = Math.min(watermark.getTime(), Date.now());
      await bus.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: createClientStatusHeartbeat(watermark) }]);
      const freshness = app.get(ClientStatusCache).freshness;
      const deadline = Date.now() + 5_000;
      while ((freshness.currentAsOf() ?? Number.NEGATIVE_INFINITY) < target) {
        if (Date.now() > deadline) throw new Error('heartbeat not applied in time');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: async () => {
      await app.close();
      await rawBus.stop();
      await issuer.stop();
      if (!options.database) await database.drop();
    },
  };
}
