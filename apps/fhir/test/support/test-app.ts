import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, createClientChangedEvent, type ClientStatus, type RegistrationKind } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus, platformTopicSpecs } from '@payer-access/events';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { randomUUID } from 'node:crypto';
import { ClientStatusCache } from '../../src/events/client-status.cache';
import { FhirConfig, fhirBaseUrl } from '../../src/fhir.config';
import { createFhirApp } from '../../src/fhir.service-app';
import { TestTokenIssuer } from './token-issuer';

export const BASE_PATH = '/fhir/sb/R4/patientaccess';

export interface FhirTestApp {
  app: INestApplication;
  /** The in-process bus the service follows: tests publish client and grant events on it. */
  bus: InProcessEventBus;
  /** Signs access tokens the service accepts (its JWKS is the service's issuer). */
  issuer: TestTokenIssuer;
  database: TestDatabase;
  /** The FHIR base URL tokens name as their audience. */
  fhirBase: string;
  /**
   * Publishes the client's next version with this status, as registration would, and waits until
   * the service's status cache has it, without a request (which would count as one refused).
   */
  setClientStatus(clientId: string, status: ClientStatus, kind?: RegistrationKind): Promise<void>;
  close(): Promise<void>;
}

/** The fhir service in-process on a fresh PostgreSQL database, with an issuer of test tokens. */
export async function startFhirTestApp(env: Record<string, string> = {}): Promise<FhirTestApp> {
  const database = await createTestDatabase();
  const fhirBase = fhirBaseUrl({ FHIR_PUBLIC_URL: 'http://localhost:3003', FHIR_BASE_PATH: BASE_PATH });
  const issuer = new TestTokenIssuer(fhirBase);
  await issuer.start();
  const bus = new InProcessEventBus();
  await bus.ensureTopics(platformTopicSpecs());
  const config = loadConfig(FhirConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: issuer.issuer, ...env });
  const app = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: bus });
  await app.init();
  const versions = new Map<string, number>();
  return {
    app,
    bus,
    issuer,
    database,
    fhirBase,
    setClientStatus: async (clientId, status, kind = 'application') => {
      const clientVersion = (versions.get(clientId) ?? 0) + 1;
      versions.set(clientId, clientVersion);
      const event = createClientChangedEvent({
        eventId: randomUUID(),
        occurredAt: new Date(),
        clientId,
        registrationId: `registration-${clientId}`,
        kind,
        status,
        previousStatus: null,
        clientVersion,
        client: { name: 'Test app', clientType: 'confidential', redirectUris: ['https://oidcdebugger.com/debug'], secretHash: null, allowedScopes: kind === 'payer' ? ['system/*.rs'] : ['patient/*.read'], system: kind === 'payer' },
      });
      await bus.publish(CLIENT_CHANGED_TOPIC, [{ key: clientId, value: event }]);
      const deadline = Date.now() + 5_000;
      while (app.get(ClientStatusCache).statusOf(clientId) !== status) {
        if (Date.now() > deadline) throw new Error(`client ${clientId} not ${status} in time`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: async () => {
      await app.close();
      await bus.stop();
      await issuer.stop();
      await database.drop();
    },
  };
}
