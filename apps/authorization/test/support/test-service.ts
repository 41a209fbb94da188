import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import {
  CLIENT_CHANGED_TOPIC,
  CLIENT_STATUS_HEARTBEAT_KEY,
  GRANT_REVOKED_TOPIC,
  REPRESENTATIVE_RECORDED_TOPIC,
  createClientChangedEvent,
  createClientStatusHeartbeat,
  type ClientChangedEventV1,
  type ClientSnapshot,
  type GrantRevokedEventV1,
  type RepresentativeRecordedEventV1,
} from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { listenService } from '@payer-access/http';
import {
  createEventBus,
  EVENT_SIGNATURE_HEADER,
  EventKeyRing,
  instanceGroupId,
  InProcessEventBus,
  platformTopicSpecs,
  sandboxEventSigner,
  sandboxProducers,
  SecretSealer,
  type EventBus,
} from '@payer-access/events';
import { createTestDatabase, kafkaServiceEnv, type KafkaCredentialSet, type TestDatabase } from '@payer-access/testing';
import { AuthorizationConfig } from '../../src/authorization.config';
import { createAuthorizationApp } from '../../src/authorization.service-app';
import { ClientProjectionService } from '../../src/clients/client-projection.service';

/** Seed 002's sandbox client. */
export const SEED_CLIENT = {
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  secret: 'SR3SrK6U1WpGOdjWS2LY',
  redirectUri: 'https://oidcdebugger.com/debug',
};

export const FHIR_BASE = 'http://localhost:3003/fhir/sb/R4/patientaccess';

export interface TestService {
  app: INestApplication;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Where its Prometheus metrics listen: another port than `url`'s. */
  metricsUrl: string;
  /** The bus the service uses (in-process), or a producer on the same Kafka broker. */
  bus: EventBus;
  database: TestDatabase;
  /** Every client event published so far, oldest first. */
  published: ClientChangedEventV1[];
  /** Every `authorization.grant.revoked.v1` event seen on the bus so far. */
  revocations: GrantRevokedEventV1[];
  /** Every `authorization.representative.recorded.v1` event seen on the bus so far, with its key and whether the service's sandbox key signed it. */
  representatives: { key: string; event: RepresentativeRecordedEventV1; signed: boolean }[];
  /**
   * Publishes the next version of a client on the bus, as registration would: signed with its
   * sandbox key, the secret hash (`client.secretHash`) sealed with the sandbox sealing key.
   */
  publishClient(clientId: string, change: Partial<Pick<ClientChangedEventV1, 'status' | 'kind' | 'notBefore'>> & { client?: Partial<ClientSnapshot> & { secretHash?: string | null } }): Promise<ClientChangedEventV1>;
  /** Publishes registration's signed heartbeat with this watermark (default now) and waits until it is applied. */
  heartbeat(watermark?: Date): Promise<void>;
  close(): Promise<void>;
}

/**
 * The authorization service on a real PostgreSQL database of its own, listening on a random
 * port, with the seed's client already published the way registration publishes it. Registration
 * does not run here, so no heartbeat comes unless a test sends one (`heartbeat`): the staleness
 * bound is off unless `env` sets CLIENT_STATUS_MAX_STALENESS_SECONDS.
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: { kafkaBrokers?: string[]; kafkaCredentials?: KafkaCredentialSet } = {},
): Promise<TestService> {
  // A production instance needs its secrets: any the test leaves out are made for it here.
  if (env.PROFILE === 'production') env = { ...(await productionSecrets()), ...env };
  const database = await createTestDatabase();
  // In-process by default; with brokers, the service reads and writes a real Kafka and the test
  // talks to the same broker through a bus of its own.
  // The test's bus plays registration (client events) and a reader of revocations: the broker's
  // super user; the service authenticates as its own principal.
  const credentials = options.kafkaBrokers ? requireCredentials(options.kafkaCredentials) : undefined;
  const bus: EventBus = options.kafkaBrokers
    ? createEventBus({ brokers: options.kafkaBrokers, clientId: 'authorization-tests', sasl: credentials?.admin })
    : new InProcessEventBus();
  await bus.ensureTopics(platformTopicSpecs());
  const revocations: GrantRevokedEventV1[] = [];
  await bus.subscribe<GrantRevokedEventV1>({
    topic: GRANT_REVOKED_TOPIC,
    groupId: instanceGroupId('authorization-tests.revocations'),
    fromBeginning: !options.kafkaBrokers,
    handler: async (event) => {
      revocations.push(event.value);
    },
  });
  const representatives: TestService['representatives'] = [];
  const authorizationKeys = await EventKeyRing.fromJwks([(await sandboxEventSigner('authorization')).publicJwk]);
  await bus.subscribe<RepresentativeRecordedEventV1>({
    topic: REPRESENTATIVE_RECORDED_TOPIC,
    groupId: instanceGroupId('authorization-tests.representatives'),
    fromBeginning: !options.kafkaBrokers,
    handler: async (event) => {
      const check = await authorizationKeys.verify(event.topic, event.key, event.value, event.headers[EVENT_SIGNATURE_HEADER]);
      representatives.push({ key: event.key, event: event.value, signed: check.ok });
    },
  });
  await bus.start();
  const producers = await sandboxProducers(bus);
  const sealer = SecretSealer.fromConfig(env.CLIENT_SECRET_SEALING_KEY, 'sandbox');
  const published: ClientChangedEventV1[] = [];
  const versions = new Map<string, ClientChangedEventV1>();
  const service: { projection?: ClientProjectionService } = {};
  const publishClient: TestService['publishClient'] = async (clientId, change) => {
    const previous = versions.get(clientId);
    const { secretHash, ...client } = change.client ?? {};
    const sealed = secretHash === undefined ? {} : { sealedSecretHash: secretHash === null ? null : await sealer.seal(clientId, secretHash) };
    const event = createClientChangedEvent({
      eventId: randomUUID(),
      occurredAt: new Date(),
      clientId,
      registrationId: previous?.registrationId ?? randomUUID(),
      kind: change.kind ?? previous?.kind ?? 'application',
      status: change.status ?? previous?.status ?? 'approved',
      previousStatus: previous?.status ?? null,
      clientVersion: (previous?.clientVersion ?? 0) + 1,
      ...(change.notBefore ? { notBefore: change.notBefore } : {}),
      client: {
        ...(previous?.client ?? {
          name: 'OIDC Debugger',
          clientType: 'confidential',
          redirectUris: [SEED_CLIENT.redirectUri],
          sealedSecretHash: null,
          allowedScopes: [],
          system: false,
          companyName: 'Sandbox Developer Inc.',
          policyUri: 'https://example.com/privacy',
        }),
        ...client,
        ...sealed,
      },
    });
    versions.set(clientId, event);
    published.push(event);
    await producers.publish(CLIENT_CHANGED_TOPIC, [{ key: clientId, value: event }]);
    // Consumption is asynchronous: wait until the service has applied it (it takes milliseconds).
    const projection = service.projection;
    if (projection) await eventually(() => ((projection.find(clientId)?.clientVersion ?? 0) >= event.clientVersion ? true : undefined), 10_000);
    return event;
  };
  if (!options.kafkaBrokers) {
    // Stored as registration stores secrets now: a keyed SHA-256 (older argon2id hashes: see the token-rate-limit and client-secret tests).
    await publishClient(SEED_CLIENT.clientId, { status: 'approved', client: { secretHash: sealer.hashSecret(SEED_CLIENT.secret) } });
  }

  // The issuer must be the URL clients reach (openid-client checks it), so the port comes first.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(AuthorizationConfig, {
    DATABASE_URL: database.url,
    PROFILE: 'sandbox',
    AUTHORIZATION_PUBLIC_URL: url,
    CLIENT_STATUS_MAX_STALENESS_SECONDS: '0',
    ...(options.kafkaBrokers && credentials ? { KAFKA_BROKERS: options.kafkaBrokers.join(','), ...kafkaServiceEnv(credentials.authorization) } : {}),
    ...env,
  });
  const app = await createAuthorizationApp({ ...config, DATABASE_URL: database.url }, { logger: false, ...(options.kafkaBrokers ? {} : { eventBus: bus }) });
  const running = await listenService(app, port, '127.0.0.1', 0);
  service.projection = app.get(ClientProjectionService);
  return {
    app,
    url,
    metricsUrl: running.metricsUrl ?? '',
    bus,
    database,
    published,
    revocations,
    representatives,
    publishClient,
    heartbeat: async (watermark = new Date()) => {
      // Applied, the view is current as of the watermark, or of now if that is earlier.
      const target = Math.min(watermark.getTime(), Date.now());
      await producers.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: createClientStatusHeartbeat(watermark) }]);
      const freshness = app.get(ClientProjectionService).freshness;
      await eventually(() => ((freshness.currentAsOf() ?? Number.NEGATIVE_INFINITY) >= target ? true : undefined), 10_000);
    },
    close: async () => {
      await app.close();
      await bus.stop();
      await database.drop();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function decodeHeader(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The seed's Step 1 URL with extra parameters. */
export function authorizeUrl(base: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: SEED_CLIENT.clientId,
    redirect_uri: SEED_CLIENT.redirectUri,
    scope: 'openid read profile patient/*.read',
    state: 'test',
    ...params,
  });
  return `${base}/fhirmember/sps/oauth/oauth20/authorize?${query.toString()}`;
}

/** The seed's Step 2 curl, byte for byte: its content type and its unencoded body. */
export async function seedTokenRequest(base: string, code: string): Promise<Response> {
  return fetch(`${base}/fhirmember/sps/oauth/oauth20/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-formurlencoded;charset=UTF-8' },
    body: `grant_type=authorization_code&code=${code}&redirect_uri=${SEED_CLIENT.redirectUri}&client_id=${SEED_CLIENT.clientId}&client_secret=${SEED_CLIENT.secret}`,
  });
}

export async function tokenRequest(base: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/fhirmember/sps/oauth/oauth20/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

function requireCredentials(credentials: KafkaCredentialSet | undefined): KafkaCredentialSet {
  if (!credentials) throw new Error('kafkaCredentials are required with kafkaBrokers: the broker authenticates every client');
  return credentials;
}

/**
 * What the production profile requires and a test does not care about: fresh keys, with the
 * registration events trusted from the sandbox signer this file's producers use.
 */
async function productionSecrets(): Promise<Record<string, string>> {
  return {
    COOKIE_KEYS: randomBytes(32).toString('base64url'),
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    AUTHORIZATION_EVENT_SIGNING_KEY: JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })),
    REGISTRATION_EVENT_PUBLIC_KEYS: JSON.stringify({ keys: [(await sandboxEventSigner('registration')).publicJwk] }),
    CLIENT_SECRET_SEALING_KEY: randomBytes(32).toString('base64url'),
  };
}
