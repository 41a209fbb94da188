import { Kafka, logLevel } from 'kafkajs';
import { ensureKafka, isToolsBroker, parseAssignments, parseBrokerList } from './kafka';

describe(parseAssignments.name, () => {
  it('reads the KEY=value lines kafka.sh prints and ignores the rest', () => {
    expect(parseAssignments('KAFKA_BROKERS=127.0.0.1:19092\nnoise\nKAFKA_PID=42\n')).toEqual({ KAFKA_BROKERS: '127.0.0.1:19092', KAFKA_PID: '42' });
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
    const { brokers } = await ensureKafka();
    expect(brokers.length).toBeGreaterThan(0);
    const admin = new Kafka({ clientId: 'testing-kafka-spec', brokers, logLevel: logLevel.NOTHING }).admin();
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
