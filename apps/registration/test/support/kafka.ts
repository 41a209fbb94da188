import { kafkajsSasl, type KafkaCredentials } from '@payer-access/testing';
import { type Consumer, Kafka, logLevel } from 'kafkajs';

export interface ReceivedMessage {
  key: string;
  value: Record<string, unknown>;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning and keeps every message; tests filter by key when they read,
 * since an event may arrive before the test learns the client_id it is keyed by.
 */
export class TopicRecorder {
  readonly messages: ReceivedMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string,
    private readonly topic: string,
    /** A reader with a consumer group of its own: the broker's super user. */
    private readonly sasl: KafkaCredentials,
  ) {}

  /** Waits (with a deadline) for the topic to exist: the producer under test is what creates it. */
  async start(timeoutMs = 20_000): Promise<void> {
    const kafka = new Kafka({ clientId: 'registration-e2e', brokers: this.brokers.split(','), sasl: kafkajsSasl(this.sasl), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const deadline = Date.now() + timeoutMs;
      while (!(await admin.listTopics()).includes(this.topic)) {
        if (Date.now() > deadline) throw new Error(`topic ${this.topic} was not created`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await admin.disconnect();
    }
    this.consumer = kafka.consumer({ groupId: `registration-e2e-${Date.now()}-${Math.random().toString(36).slice(2)}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        const key = message.key?.toString() ?? '';
        if (!message.value) return;
        let value: Record<string, unknown>;
        try {
          value = JSON.parse(message.value.toString()) as Record<string, unknown>;
        } catch {
          // Anyone who reaches the broker can write to the topic (other tests write forged bytes).
          return;
        }
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(Array.isArray(value) ? value[0] : value)]));
        this.messages.push({ key, value, partition, offset: message.offset, headers });
      },
    });
  }

  forKey(key: string): ReceivedMessage[] {
    return this.messages.filter((message) => message.key === key);
  }

  /** Polls until `predicate` holds or the deadline passes. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${this.messages.length} messages`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
