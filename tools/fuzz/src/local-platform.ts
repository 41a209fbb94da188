import type { INestApplication } from '@nestjs/common';
import { startAuthorizationService } from '@payer-access/authorization-service';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus, platformTopicSpecs } from '@payer-access/events';
import { startFhirService } from '@payer-access/fhir-service';
import { startRegistrationService } from '@payer-access/registration-service';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import { createTestDatabase, type TestDatabase, SmtpCatcher } from '@payer-access/testing';
import { createServer } from 'node:net';
import { SERVICE_CONFIGS } from '../../sandbox/src/sandbox.config';

export type ServiceName = 'registration' | 'authorization' | 'fhir';

export interface LocalPlatform {
  /** Base URL of each service, all on 127.0.0.1. */
  readonly urls: Readonly<Record<ServiceName, string>>;
  readonly fhirBasePath: string;
  readonly admin: { readonly email: string; readonly password: string };
  /** The registration service's mail: the developer's verification link arrives here. */
  readonly mail: SmtpCatcher;
  stop(): Promise<void>;
}

const FHIR_BASE_PATH = '/fhir/sb/R4/patientaccess';
const ADMIN = { email: 'fuzz-admin@plan.example', password: 'fuzz-admin-password-1' };

/**
 * The one-process platform of `npm start` on 127.0.0.1 only: the three services on free ports, one
 * fresh PostgreSQL database of the test server, the in-process event bus, the sandbox profile
 * (seeded demo client, synthetic members) so that the campaign can also send what a real,
 * authorized caller would send, only malformed.
 */
export async function startLocalPlatform(): Promise<LocalPlatform> {
  const database: TestDatabase = await createTestDatabase('pa_fuzz');
  const bus = new InProcessEventBus();
  await bus.ensureTopics(platformTopicSpecs());
  const apps: INestApplication[] = [];
  const mail = new SmtpCatcher();
  try {
    await mail.start();
    const [registrationPort, authorizationPort, fhirPort] = [await freePort(), await freePort(), await freePort()];
    const urls = {
      registration: `http://127.0.0.1:${registrationPort}`,
      authorization: `http://127.0.0.1:${authorizationPort}`,
      fhir: `http://127.0.0.1:${fhirPort}`,
    };
    const env = {
      DATABASE_URL: database.url,
      PROFILE: 'sandbox',
      LOG_LEVEL: 'fatal',
      REGISTRATION_PUBLIC_URL: urls.registration,
      AUTHORIZATION_PUBLIC_URL: urls.authorization,
      FHIR_PUBLIC_URL: urls.fhir,
      FHIR_BASE_PATH,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // The campaign repeats logins on purpose: throttling them would hide what the handlers do.
      LOGIN_MAX_FAILURES: '1000000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
      REGISTRATION_HOST: '127.0.0.1',
      AUTHORIZATION_HOST: '127.0.0.1',
      FHIR_HOST: '127.0.0.1',
      REGISTRATION_PORT: String(registrationPort),
      AUTHORIZATION_PORT: String(authorizationPort),
      FHIR_PORT: String(fhirPort),
      REGISTRATION_METRICS_PORT: 'off',
      AUTHORIZATION_METRICS_PORT: 'off',
      FHIR_METRICS_PORT: 'off',
      SMTP_URL: mail.url,
    };
    const options = { logger: false as const, shutdownHooks: false, eventBus: bus };
    const registration = await startRegistrationService({ ...loadConfig(SERVICE_CONFIGS.registration, env), DATABASE_URL: database.url }, options);
    apps.push(registration.app);
    const authorization = await startAuthorizationService({ ...loadConfig(SERVICE_CONFIGS.authorization, env), DATABASE_URL: database.url }, options);
    apps.push(authorization.app);
    const fhir = await startFhirService({ ...loadConfig(SERVICE_CONFIGS.fhir, env), DATABASE_URL: database.url }, { ...options, sandboxData: sandboxDataSet });
    apps.push(fhir.app);
    return {
      urls,
      fhirBasePath: FHIR_BASE_PATH,
      admin: ADMIN,
      mail,
      stop: async () => {
        for (const app of apps.reverse()) await app.close().catch(() => undefined);
        await mail.stop();
        await bus.stop();
        await database.drop();
      },
    };
  } catch (error) {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await bus.stop();
    await database.drop();
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
