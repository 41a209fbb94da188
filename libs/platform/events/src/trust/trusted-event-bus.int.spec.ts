import { randomUUID } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { JWK } from 'jose';
import { ensureKafka, kafkajsSasl, type KafkaCredentials } from '@payer-access/testing';
import type { EventsMetrics } from '../events-metrics';
import type { IncomingEvent } from '../event-bus';
import { KafkaEventBus } from '../kafka/kafka-event-bus';
import { clientChangedTopicSpec, deadLetterTopicOf, type TopicSpec } from '../topics';
import { EventRejectedError } from './event-rejected.error';
import { EVENT_SIGNATURE_HEADER, EventKeyRing, EventSigner } from './event-signature';
import { DEAD_LETTER_HEADERS, TrustedEventBus } from './trusted-event-bus';

// Real broker; every adapter gets the same guard, so Kafka (where anyone with topic access can
// write any bytes) is where it is proven.
jest.setTimeout(60_000);

const fastRetry = { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 };

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function privateJwk(): JWK {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
}

class RecordingMetrics implements EventsMetrics {
  readonly deadLetters: Array<{ topic: string; reason: string }> = [];
  readonly lags: number[] = [];
  consumerLag(_partition: unknown, lag: number): void {
    this.lags.push(lag);
  }
  forgetConsumerLag(): void {
    this.lags.length = 0;
  }
  outboxBacklog(): void {
    throw new Error('a consumer has no outbox');
  }
  deadLettered(topic: string, reason: string): void {
    this.deadLetters.push({ topic, reason });
  }
}

describe(TrustedEventBus.name, () => {
  let brokers: string[];
  let admin: Admin;
  let raw: Producer;
  let producer: TrustedEventBus;
  let consumer: TrustedEventBus;
  let deadLetterReader: KafkaEventBus;
  let signer: EventSigner;
  const metrics = new RecordingMetrics();
  const spec: TopicSpec = { ...clientChangedTopicSpec(), name: `test.trusted.${randomUUID().slice(0, 8)}` };
  const handled: IncomingEvent[] = [];
  const parked: IncomingEvent[] = [];

  beforeAll(async () => {
    const found = await ensureKafka();
    brokers = found.brokers;
    const sasl: KafkaCredentials = found.credentials.admin;
    const kafka = new Kafka({ clientId: 'trusted-bus-spec-raw', brokers, sasl: kafkajsSasl(sasl), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    raw = kafka.producer();
    await raw.connect();
    signer = await EventSigner.fromJwk(privateJwk());
    const ring = await EventKeyRing.fromJwks({ keys: [signer.publicJwk] });
    producer = new TrustedEventBus(new KafkaEventBus({ brokers, sasl, clientId: 'trusted-bus-spec-producer' }), { signer, trustedKeys: {} });
    consumer = new TrustedEventBus(new KafkaEventBus({ brokers, sasl, clientId: 'trusted-bus-spec-consumer', handlerBackoff: fastRetry }), {
      trustedKeys: { [spec.name]: ring },
      metrics,
    });
    deadLetterReader = new KafkaEventBus({ brokers, sasl, clientId: 'trusted-bus-spec-dlq' });
    await consumer.ensureTopics([spec]);
    await consumer.subscribe<{ n: number; reject?: boolean }>({
      topic: spec.name,
      groupId: `trusted-bus-spec-${randomUUID()}`,
      fromBeginning: true,
      handler: async (event) => {
        if (event.value.reject) throw new EventRejectedError('transition_not_allowed', 'terminated is final');
        handled.push(event);
      },
    });
    await deadLetterReader.subscribe({
      topic: deadLetterTopicOf(spec.name),
      groupId: `trusted-bus-spec-dlq-${randomUUID()}`,
      fromBeginning: true,
      handler: async (event) => void parked.push(event),
    });
    await Promise.all([producer.start(), consumer.start(), deadLetterReader.start()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop(), deadLetterReader?.stop()]);
    await raw?.disconnect();
    await admin?.deleteTopics({ topics: [spec.name, deadLetterTopicOf(spec.name)] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('creates the dead-letter topic beside the topic', async () => {
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([spec.name, deadLetterTopicOf(spec.name)]));
  });

  it('dead-letters unsigned, wrongly signed, re-targeted, non-JSON and refused events, and handles the signed ones after them', async () => {
    const intruder = await EventSigner.fromJwk(privateJwk());
    const copied = await signer.sign(spec.name, 'client-a', { n: 1 });
    await raw.send({
      topic: spec.name,
      messages: [
        { key: 'client-a', value: JSON.stringify({ n: 100 }) },
        { key: 'client-a', value: JSON.stringify({ n: 101 }), headers: { [EVENT_SIGNATURE_HEADER]: await intruder.sign(spec.name, 'client-a', { n: 101 }) } },
        // A genuine signature copied onto other content, and onto another client.
        { key: 'client-a', value: JSON.stringify({ n: 102 }), headers: { [EVENT_SIGNATURE_HEADER]: copied } },
        { key: 'client-b', value: JSON.stringify({ n: 1 }), headers: { [EVENT_SIGNATURE_HEADER]: copied } },
        { key: 'client-a', value: Buffer.from([0x7b, 0xff, 0xfe, 0x00]) },
        { key: 'client-a', value: '{"n": 1,' },
      ],
    });
    await producer.publish(spec.name, [
      { key: 'client-a', value: { n: 103, reject: true } },
      { key: 'client-a', value: { n: 1 } },
    ]);

    await eventually(() => handled.length === 1 && parked.length === 7, 30_000, 'one handled and seven parked events');
    expect(handled.map((event) => event.value)).toEqual([{ n: 1 }]);
    expect(parked.map((event) => [event.key, event.headers[DEAD_LETTER_HEADERS.reason], event.headers[DEAD_LETTER_HEADERS.detail]])).toEqual([
      ['client-a', 'bad_signature', 'unsigned'],
      ['client-a', 'bad_signature', 'signed by an untrusted key'],
      ['client-a', 'bad_signature', 'signature does not match'],
      ['client-b', 'bad_signature', 'signature does not match'],
      ['client-a', 'unparsable', 'the value is not UTF-8 JSON'],
      ['client-a', 'unparsable', 'the value is not UTF-8 JSON'],
      ['client-a', 'transition_not_allowed', 'terminated is final'],
    ]);
    expect(parked[0].value).toEqual({ n: 100 });
    expect(parked[5].value).toEqual({ unparsable: '{"n": 1,' });
    expect(parked[0].headers).toMatchObject({ [DEAD_LETTER_HEADERS.topic]: spec.name, [DEAD_LETTER_HEADERS.partition]: '0', [DEAD_LETTER_HEADERS.offset]: expect.stringMatching(/^\d+$/) });
    // A parked event must not pass for a signed one if someone replays it from the dead-letter topic.
    expect(parked[2].headers[EVENT_SIGNATURE_HEADER]).toBeUndefined();
    expect(metrics.deadLetters.filter((entry) => entry.topic === spec.name).map((entry) => entry.reason)).toEqual([
      'bad_signature',
      'bad_signature',
      'bad_signature',
      'bad_signature',
      'unparsable',
      'unparsable',
      'transition_not_allowed',
    ]);
  });

  it('refuses to subscribe to a topic whose producer keys it does not know', async () => {
    await expect(producer.subscribe({ topic: spec.name, groupId: 'x', fromBeginning: true, handler: async () => undefined })).rejects.toThrow(
      `No producer keys are trusted for "${spec.name}"`,
    );
  });
});
