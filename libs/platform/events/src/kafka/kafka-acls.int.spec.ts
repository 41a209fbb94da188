import { randomUUID } from 'node:crypto';
import { CLIENT_CHANGED_TOPIC, GRANT_REVOKED_TOPIC } from '@payer-access/client-status';
import { ensureKafka, kafkajsSasl, type KafkaCredentialSet } from '@payer-access/testing';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { EventsLogger } from '../events-logger';
import { clientChangedTopicSpec, grantRevokedTopicSpec, platformTopicSpecs } from '../topics';
import { isAuthorizationFailure, KafkaEventBus } from './kafka-event-bus';

// The events library as each service uses it, against the broker's ACLs (tools/kafka/acls.conf)
// on the platform's real topics. Keys are this run's own: other test files share the topics.
jest.setTimeout(60_000);

interface Logged {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** 'published', 'refused' (an ACL said no) or the unexpected error. */
function outcome(publishing: Promise<void>): Promise<string> {
  return publishing.then(
    () => 'published',
    (error: unknown) => (isAuthorizationFailure(error) ? 'refused' : String(error)),
  );
}

function recordingLogger(into: Logged[]): EventsLogger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void into.push({ level, message, fields });
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('the Kafka event bus under the broker ACLs', () => {
  let brokers: string[];
  let credentials: KafkaCredentialSet;
  const buses: KafkaEventBus[] = [];
  const key = `acl-spec-${randomUUID().slice(0, 8)}`;

  function busAs(principal: 'registration' | 'authorization' | 'fhir', logged: Logged[] = []): KafkaEventBus {
    const bus = new KafkaEventBus({ brokers, sasl: credentials[principal], clientId: `events-acl-spec-${principal}`, logger: recordingLogger(logged), publishRetry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 } });
    buses.push(bus);
    return bus;
  }

  async function topicConfig(name: string, configName: string): Promise<string | undefined> {
    const admin = new Kafka({ clientId: 'events-acl-spec-admin', brokers, sasl: kafkajsSasl(credentials.admin), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: [configName] }] });
      return resources[0]?.configEntries[0]?.configValue;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    ({ brokers, credentials } = await ensureKafka());
    // As at a platform start: each writer creates its topic with its settings.
    await busAs('registration').ensureTopics([clientChangedTopicSpec()]);
    await busAs('authorization').ensureTopics([grantRevokedTopicSpec()]);
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.stop()));
  });

  it('publishes client events as registration, and refuses them from fhir and authorization', async () => {
    expect(await outcome(busAs('registration').publish(CLIENT_CHANGED_TOPIC, [{ key, value: { from: 'registration' } }]))).toBe('published');
    for (const principal of ['fhir', 'authorization'] as const) {
      expect(await outcome(busAs(principal).publish(CLIENT_CHANGED_TOPIC, [{ key, value: { status: 'approved', forged: true } }]))).toBe('refused');
    }
  });

  it('publishes grant events as authorization only', async () => {
    expect(await outcome(busAs('authorization').publish(GRANT_REVOKED_TOPIC, [{ key, value: { from: 'authorization' } }]))).toBe('published');
    expect(await outcome(busAs('registration').publish(GRANT_REVOKED_TOPIC, [{ key, value: { forged: true } }]))).toBe('refused');
  });

  it('starts a consumer-only service without an error, and lets it ensure topics whose settings it may not change', async () => {
    const logged: Logged[] = [];
    const fhir = busAs('fhir', logged);
    const before = await topicConfig(GRANT_REVOKED_TOPIC, 'retention.ms');
    // A different token lifetime than the topic's: fhir may not reconfigure authorization's topic.
    await expect(fhir.ensureTopics(platformTopicSpecs({ accessTokenTtlSeconds: 7 * 3_600 }))).resolves.toBeUndefined();
    await fhir.start();
    expect(await topicConfig(GRANT_REVOKED_TOPIC, 'retention.ms')).toBe(before);
    expect(Number(before)).toBeLessThan(7 * 3_600_000);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'info', message: "Topic configs differ from this service's spec; left to the topic's owner", fields: expect.objectContaining({ topic: GRANT_REVOKED_TOPIC }) }),
      ]),
    );
    // kafkajs itself logs each refused request at warn; the bus adds no warning or error of its own.
    expect(logged.filter((entry) => (entry.level === 'warn' || entry.level === 'error') && !entry.message.startsWith('kafkajs '))).toEqual([]);
  });
});
