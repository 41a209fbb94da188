import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { CLIENT_CHANGED_TOPIC, type ClientChangedEventV1 } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { DEAD_LETTER_HEADERS, deadLetterTopicOf, EVENT_SIGNATURE_HEADER, EventSigner, sandboxEventSigner } from '@payer-access/events';
import { createTestDatabase, ensureKafka, kafkajsSasl, kafkaServiceEnv, metricValue, scrapeMetrics, type KafkaCredentialSet } from '@payer-access/testing';
import * as argon2 from 'argon2';
import type { JWK } from 'jose';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { AuthorizationConfig } from '../src/authorization.config';
import { createAuthorizationApp } from '../src/authorization.service-app';
import { ClientProjectionService } from '../src/clients/client-projection.service';
import { runJourney } from './support/member-journey';
import { authorizeUrl, eventually, startTestService, tokenRequest, type TestService } from './support/test-service';

/**
 * Whoever reaches the broker can write to `registration.client.changed.v1`. On a real Kafka, events
 * registration did not sign, that are not JSON, whose version no column holds, or that break the
 * transition rules are dead-lettered and never applied; the plan's real changes afterwards are.
 */
describe('forged client events on Kafka', () => {
  let service: TestService;
  let brokers: string[];
  let credentials: KafkaCredentialSet;
  let raw: Producer;
  let deadLetters: Consumer;
  const parked: Array<{ key: string; reason: string; detail: string }> = [];
  const run = randomUUID().slice(0, 8);
  const victim = `victim-${run}`;
  const terminated = `terminated-${run}`;
  const secret = `secret-${randomUUID()}`;
  const redirectUri = 'https://oidcdebugger.com/debug';
  const attackerUri = 'https://attacker.example/cb';

  /** The next version of a client as a forger would write it, from the last genuine event. */
  function forged(from: ClientChangedEventV1, changes: Partial<ClientChangedEventV1>): ClientChangedEventV1 {
    return { ...from, eventId: randomUUID(), occurredAt: new Date().toISOString(), previousStatus: from.status, clientVersion: from.clientVersion + 1, ...changes };
  }

  async function send(key: string, value: string | Buffer, headers: Record<string, string> = {}): Promise<void> {
    await raw.send({ topic: CLIENT_CHANGED_TOPIC, messages: [{ key, value, headers }] });
  }

  async function authorizes(clientId: string, uri = redirectUri): Promise<boolean> {
    const response = await fetch(authorizeUrl(service.url, { client_id: clientId, redirect_uri: uri }), { redirect: 'manual' });
    return response.status !== 400;
  }

  beforeAll(async () => {
    ({ brokers, credentials } = await ensureKafka());
    service = await startTestService({}, { kafkaBrokers: brokers, kafkaCredentials: credentials });
    // The forger holds the broker's super user: signatures must hold even where the ACLs are bypassed.
    const kafka = new Kafka({ clientId: `forger-${run}`, brokers, sasl: kafkajsSasl(credentials.admin), logLevel: logLevel.NOTHING });
    raw = kafka.producer();
    await raw.connect();
    deadLetters = kafka.consumer({ groupId: `forged-events-dlq-${run}` });
    await deadLetters.connect();
    await deadLetters.subscribe({ topic: deadLetterTopicOf(CLIENT_CHANGED_TOPIC), fromBeginning: true });
    await deadLetters.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        parked.push({ key: message.key?.toString() ?? '', reason: header(DEAD_LETTER_HEADERS.reason), detail: header(DEAD_LETTER_HEADERS.detail) });
      },
    });
    const hash = await argon2.hash(secret, { type: argon2.argon2id });
    await service.publishClient(victim, { status: 'approved', client: { name: 'Victim App', clientType: 'confidential', redirectUris: [redirectUri], secretHash: hash, allowedScopes: [], system: false } });
    await service.publishClient(terminated, { status: 'approved', client: { name: 'Gone App', clientType: 'confidential', redirectUris: [redirectUri], secretHash: hash, allowedScopes: [], system: false } });
    await service.publishClient(terminated, { status: 'terminated' });
  }, 120_000);

  afterAll(async () => {
    await deadLetters?.disconnect();
    await raw?.disconnect();
    await service?.close();
  });

  it('parks forged, pinned, malformed and forbidden events, and still applies the plan\'s real suspension', async () => {
    const projection = service.app.get(ClientProjectionService);
    const lastOf = (clientId: string) => service.published.filter((event) => event.clientId === clientId).at(-1) as ClientChangedEventV1;
    const intruder = await EventSigner.fromJwk(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK);
    const sandboxRegistration = await sandboxEventSigner('registration');
    expect(await authorizes(victim)).toBe(true);
    expect(await authorizes(terminated)).toBe(false);

    // 1. Re-approval of the terminated client, its sealed secret copied from the topic, unsigned.
    const reapproval = forged(lastOf(terminated), { status: 'approved' });
    await send(terminated, JSON.stringify(reapproval));
    // 2. The attacker's redirect URI at the highest version there is, signed by a key of their own.
    const pinned = forged(lastOf(victim), { clientVersion: 2 ** 53 - 1, client: { ...lastOf(victim).client, redirectUris: [redirectUri, attackerUri] } });
    await send(victim, JSON.stringify(pinned), { [EVENT_SIGNATURE_HEADER]: await intruder.sign(CLIENT_CHANGED_TOPIC, victim, pinned) });
    // 3. A genuine signature of the last event copied onto the forged one.
    await send(victim, JSON.stringify(pinned), { [EVENT_SIGNATURE_HEADER]: await sandboxRegistration.sign(CLIENT_CHANGED_TOPIC, victim, lastOf(victim)) });
    // 4. Not JSON at all.
    await send(victim, Buffer.from('{"type":"registration.client.changed",\u0000'));
    // 5. Signed with registration's key (as a faulty producer would) but beyond what the column holds.
    const overflowing = forged(lastOf(victim), { clientVersion: 2 ** 31 });
    await send(victim, JSON.stringify(overflowing), { [EVENT_SIGNATURE_HEADER]: await sandboxRegistration.sign(CLIENT_CHANGED_TOPIC, victim, overflowing) });
    // 6. Signed, but a terminated client cannot come back.
    await send(terminated, JSON.stringify(reapproval), { [EVENT_SIGNATURE_HEADER]: await sandboxRegistration.sign(CLIENT_CHANGED_TOPIC, terminated, reapproval) });

    await eventually(() => (parked.filter((entry) => entry.key === victim || entry.key === terminated).length >= 6 ? true : undefined), 20_000);
    expect(parked.filter((entry) => entry.key === victim || entry.key === terminated).map(({ key, reason }) => [key, reason])).toEqual([
      [terminated, 'bad_signature'],
      [victim, 'bad_signature'],
      [victim, 'bad_signature'],
      [victim, 'unparsable'],
      [victim, 'invalid_event'],
      [terminated, 'transition_not_allowed'],
    ]);
    expect(parked.find((entry) => entry.reason === 'invalid_event')?.detail).toContain('clientVersion must be an integer from 1 to 2147483647');

    expect(projection.find(terminated)?.status).toBe('terminated');
    expect(await authorizes(terminated)).toBe(false);
    expect(projection.find(victim)?.clientVersion).toBe(lastOf(victim).clientVersion);
    expect(await authorizes(victim, attackerUri)).toBe(false);
    const text = await scrapeMetrics(service.metricsUrl);
    expect(metricValue(text, 'events_dead_lettered_total', { topic: CLIENT_CHANGED_TOPIC, reason: 'bad_signature' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'events_dead_lettered_total', { topic: CLIENT_CHANGED_TOPIC, reason: 'invalid_event' })).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);

    // The plan's real suspension, the version after the last genuine one, takes effect at once.
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { client_id: victim, redirect_uri: redirectUri }));
    const issued = await tokenRequest(service.url, { grant_type: 'authorization_code', code: redirect?.searchParams.get('code') ?? '', redirect_uri: redirectUri, client_id: victim, client_secret: secret });
    expect(issued.status).toBe(200);
    await service.publishClient(victim, { status: 'suspended' });
    expect(projection.find(victim)?.status).toBe('suspended');
    expect(await authorizes(victim)).toBe(false);
    const refreshed = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(issued.body.refresh_token), client_id: victim, client_secret: secret });
    expect(refreshed.body.error).toBe('invalid_client');
  }, 90_000);

  it('a restarted instance reads past the parked events, is ready, and holds the real states', async () => {
    const database = await createTestDatabase();
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', KAFKA_BROKERS: brokers.join(','), ...kafkaServiceEnv(credentials.authorization), CLIENT_STATUS_MAX_STALENESS_SECONDS: '0' });
    const app = await createAuthorizationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const projection = app.get(ClientProjectionService);
      await eventually(() => projection.isCaughtUp(), 30_000);
      const url = await app.getUrl();
      expect((await fetch(`${url.replace('[::1]', '127.0.0.1')}/health/ready`)).status).toBe(200);
      expect(projection.find(victim)?.status).toBe('suspended');
      expect(projection.find(terminated)?.status).toBe('terminated');
      expect(projection.metadata(terminated)).toBeUndefined();
    } finally {
      await app.close();
      await database.drop();
    }
  }, 90_000);
});
