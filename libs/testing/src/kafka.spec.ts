import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { KAFKA_PRINCIPALS, ensureKafka, kafkajsSasl, isToolsBroker, parseAssignments, parseBrokerList, parseCredentials, type KafkaCredentialSet, type KafkaCredentials } from './kafka';

describe(parseAssignments.name, () => {
  it('reads the KEY=value lines kafka.sh prints and ignores the rest', () => {
    expect(parseAssignments('KAFKA_BROKERS=127.0.0.1:19092\nnoise\nKAFKA_PID=42\n')).toEqual({ KAFKA_BROKERS: '127.0.0.1:19092', KAFKA_PID: '42' });
  });
});

describe(parseCredentials.name, () => {
  const printed = {
    KAFKA_SCRAM_MECHANISM: 'scram-sha-512',
    ...Object.fromEntries(KAFKA_PRINCIPALS.flatMap((name) => [[`KAFKA_${name.toUpperCase()}_USERNAME`, name], [`KAFKA_${name.toUpperCase()}_PASSWORD`, `${name}-pw`]])),
  };

  it('reads each principal\'s credentials', () => {
    expect(parseCredentials(printed)?.fhir).toEqual({ mechanism: 'scram-sha-512', username: 'fhir', password: 'fhir-pw' });
  });

  it('is undefined when a mechanism or a principal is missing', () => {
    expect(parseCredentials({ ...printed, KAFKA_SCRAM_MECHANISM: 'plain' })).toBeUndefined();
    expect(parseCredentials({ ...printed, KAFKA_FHIR_PASSWORD: '' })).toBeUndefined();
  });
});

describe(parseBrokerList.name, () => {
  it('splits on commas and drops blanks', () => {
    expect(parseBrokerList(' a:1, b:2 ,,')).toEqual(['a:1', 'b:2']);
    expect(parseBrokerList(undefined)).toEqual([]);
  });
});

describe(ensureKafka.name, () => {
  it('provides a broker that answers admin requests', async () => {
    const preset = process.env.KAFKA_BROKERS;
    const { brokers, credentials } = await ensureKafka();
    expect(brokers.length).toBeGreaterThan(0);
    const admin = new Kafka({ clientId: 'testing-kafka-spec', brokers, sasl: kafkajsSasl(credentials.admin), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
    // Without KAFKA_BROKERS it is the tools/kafka broker, which tests may stop and start.
    if (!preset) expect(await isToolsBroker(brokers)).toBe(true);
  }, 240_000);
});

// The broker decides who may write the topics that decide which apps are trusted (client events)
// and which grants are dead (grant events): every client authenticates, and ACLs allow each
// service principal exactly its own writes.
describe('the tools/kafka broker authenticates and authorizes', () => {
  const CLIENT_TOPIC = 'registration.client.changed.v1';
  const GRANT_TOPIC = 'authorization.grant.revoked.v1';
  let brokers: string[];
  let credentials: KafkaCredentialSet;

  const client = (sasl?: KafkaCredentials) =>
    new Kafka({ clientId: 'testing-kafka-acl-spec', brokers, sasl: sasl && kafkajsSasl(sasl), logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 1, initialRetryTime: 100 } });

  /** Sends one record with a plain (non-idempotent) producer; resolves to the broker's answer. */
  async function write(sasl: KafkaCredentials | undefined, topic: string, idempotent = false): Promise<string> {
    const producer = client(sasl).producer({ allowAutoTopicCreation: false, idempotent, maxInFlightRequests: idempotent ? 1 : undefined });
    try {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: `acl-spec-${Date.now()}`, value: JSON.stringify({ forged: true }) }] });
      return 'written';
    } catch (error) {
      const { type, name, cause } = error as { type?: string; name?: string; cause?: { type?: string } };
      return type ?? cause?.type ?? name ?? 'error';
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  async function highWatermark(topic: string): Promise<number> {
    const admin = client(credentials.admin).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    ({ brokers, credentials } = await ensureKafka());
    // As the services do at start: registration creates the client topic, authorization the grant topic.
    for (const [owner, topic] of [
      [credentials.registration, CLIENT_TOPIC],
      [credentials.authorization, GRANT_TOPIC],
    ] as const) {
      const admin = client(owner).admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      } finally {
        await admin.disconnect();
      }
    }
  }, 240_000);

  it('prints distinct credentials for each principal', () => {
    const passwords = KAFKA_PRINCIPALS.map((principal) => credentials[principal].password);
    expect(new Set(passwords).size).toBe(KAFKA_PRINCIPALS.length);
    expect(KAFKA_PRINCIPALS.map((principal) => credentials[principal].username)).toEqual([...KAFKA_PRINCIPALS]);
    for (const password of passwords) expect(password.length).toBeGreaterThanOrEqual(24);
  });

  it('refuses an unauthenticated client and a wrong password', async () => {
    const before = await highWatermark(CLIENT_TOPIC);
    // Without SASL the broker closes the connection before any request is read.
    expect(await write(undefined, CLIENT_TOPIC)).not.toBe('written');
    expect(await write({ ...credentials.registration, password: `${credentials.registration.password}x` }, CLIENT_TOPIC)).toBe('KafkaJSSASLAuthenticationError');
    expect(await highWatermark(CLIENT_TOPIC)).toBe(before);
  }, 60_000);

  it('lets only registration write client events', async () => {
    const before = await highWatermark(CLIENT_TOPIC);
    expect(await write(credentials.fhir, CLIENT_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await write(credentials.authorization, CLIENT_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // The events library's idempotent producer: fhir may write dead-letter topics only, so the client topic refuses it.
    expect(await write(credentials.fhir, CLIENT_TOPIC, true)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await highWatermark(CLIENT_TOPIC)).toBe(before);
    expect(await write(credentials.registration, CLIENT_TOPIC, true)).toBe('written');
    expect(await highWatermark(CLIENT_TOPIC)).toBe(before + 1);
  }, 60_000);

  it('lets only authorization write grant events', async () => {
    const before = await highWatermark(GRANT_TOPIC);
    expect(await write(credentials.fhir, GRANT_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // Refused before the first request: kafkajs reports the broker's answer as the cause.
    expect(await write(credentials.registration, GRANT_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await highWatermark(GRANT_TOPIC)).toBe(before);
    expect(await write(credentials.authorization, GRANT_TOPIC, true)).toBe('written');
    expect(await highWatermark(GRANT_TOPIC)).toBe(before + 1);
  }, 60_000);

  it('lets a reader use consumer groups under its own prefix only', async () => {
    const read = async (sasl: KafkaCredentials, groupId: string, topic: string): Promise<string> => {
      const admin = client(sasl).admin();
      await admin.connect();
      try {
        await admin.fetchOffsets({ groupId, topics: [topic] });
        return 'allowed';
      } catch (error) {
        // kafkajs reports a group the principal may not describe as a coordinator it cannot find.
        const { type, name } = error as { type?: string; name?: string };
        return type ?? name ?? 'error';
      } finally {
        await admin.disconnect();
      }
    };
    expect(await read(credentials.fhir, 'fhir.client-status.spec', CLIENT_TOPIC)).toBe('allowed');
    expect(await read(credentials.fhir, 'fhir.grant-denylist.spec', GRANT_TOPIC)).toBe('allowed');
    expect(await read(credentials.authorization, 'authorization.client-projection.spec', CLIENT_TOPIC)).toBe('allowed');
    expect(await read(credentials.fhir, 'authorization.client-projection.spec', CLIENT_TOPIC)).toBe('KafkaJSGroupCoordinatorNotFound');
    // Registration reads its own topic back under its own prefix, and nowhere else.
    expect(await read(credentials.registration, 'registration.client-topic-guard.spec', CLIENT_TOPIC)).toBe('allowed');
    expect(await read(credentials.registration, 'fhir.anything', CLIENT_TOPIC)).toBe('KafkaJSGroupCoordinatorNotFound');
  }, 60_000);

  it('lets a reader create its topics but not change their settings', async () => {
    const admin = client(credentials.fhir).admin();
    await admin.connect();
    try {
      // Existing already: an answer, not a refusal, so a service may start before the topic's writer.
      await expect(admin.createTopics({ topics: [{ topic: CLIENT_TOPIC }] })).resolves.toBe(false);
      await expect(
        admin.alterConfigs({ validateOnly: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: CLIENT_TOPIC, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] }),
      ).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
      await expect(admin.createTopics({ topics: [{ topic: `acl-spec-${Date.now()}` }] })).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED' })] });
    } finally {
      await admin.disconnect();
    }
  }, 60_000);
});
