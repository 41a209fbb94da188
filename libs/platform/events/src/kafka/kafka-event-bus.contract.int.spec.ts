import { Kafka, logLevel } from 'kafkajs';
import { ensureKafka, kafkajsSasl, type KafkaCredentials } from '@payer-access/testing';
import { describeEventBusContract } from '../event-bus.contract';
import { KafkaEventBus } from './kafka-event-bus';

// Real broker (tools/kafka or KAFKA_BROKERS); the suite's topics are unique and deleted afterwards.
jest.setTimeout(90_000);

let brokers: string[] = [];
let sasl: KafkaCredentials;
beforeAll(async () => {
  const kafka = await ensureKafka();
  brokers = kafka.brokers;
  sasl = kafka.credentials.admin;
});

describeEventBusContract(KafkaEventBus.name, () => ({
  open: async () => new KafkaEventBus({ brokers, sasl, clientId: 'events-contract', handlerBackoff: { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 } }),
  durable: true,
  compactsOnWrite: false,
  expiresOnTime: false,
  settleMs: 200,
  dropTopics: async (topics) => {
    if (topics.length === 0) return;
    const admin = new Kafka({ clientId: 'events-contract-admin', brokers, sasl: kafkajsSasl(sasl), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      await admin.deleteTopics({ topics: topics.filter((topic) => existing.has(topic)) }).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  },
}));
