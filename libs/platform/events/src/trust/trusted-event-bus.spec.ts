import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { InProcessEventBus } from '../in-process/in-process-event-bus';
import { clientChangedTopicSpec, deadLetterTopicOf } from '../topics';
import { EventKeyRing, EventSigner } from './event-signature';
import { TrustedEventBus } from './trusted-event-bus';

const fastRetry = { initialMs: 10, maxMs: 20, factor: 2, jitter: 0 };

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('TrustedEventBus on the in-process bus', () => {
  const spec = clientChangedTopicSpec();
  let inner: InProcessEventBus;
  let producer: TrustedEventBus;
  let consumer: TrustedEventBus;

  beforeEach(async () => {
    inner = new InProcessEventBus({ handlerBackoff: fastRetry });
    const signer = await EventSigner.fromJwk(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK);
    producer = new TrustedEventBus(inner, { signer, trustedKeys: {} });
    consumer = new TrustedEventBus(inner, { trustedKeys: { [spec.name]: await EventKeyRing.fromJwks([signer.publicJwk]) } });
    await consumer.ensureTopics([spec]);
  });

  afterEach(() => inner.stop());

  it('parks what the raw bus carries unsigned and handles what the producer signed', async () => {
    const handled: unknown[] = [];
    await consumer.subscribe({ topic: spec.name, groupId: 'g', fromBeginning: true, handler: async (event) => void handled.push(event.value) });
    await inner.start();
    await inner.publish(spec.name, [{ key: 'a', value: { forged: true } }]);
    await producer.publish(spec.name, [{ key: 'a', value: { genuine: true } }]);
    await eventually(() => handled.length === 1 && inner.retained(deadLetterTopicOf(spec.name)).length === 1);
    expect(handled).toEqual([{ genuine: true }]);
    expect(inner.retained(deadLetterTopicOf(spec.name))).toEqual([expect.objectContaining({ key: 'a', value: { forged: true } })]);
  });

  it('reports not caught up while the handler keeps failing on one event, and caught up once it passes', async () => {
    let failures = 5;
    const subscription = await consumer.subscribe({
      topic: spec.name,
      groupId: 'g',
      fromBeginning: true,
      handler: async () => {
        if (failures-- > 0) throw new Error('database unavailable');
      },
    });
    await inner.start();
    await eventually(() => subscription.isCaughtUp());
    await producer.publish(spec.name, [{ key: 'a', value: { n: 1 } }]);
    await eventually(() => failures <= 1);
    expect(subscription.isCaughtUp()).toBe(false);
    await eventually(() => failures < 0 && subscription.isCaughtUp());
  });

  it('refuses to publish without a signing key', async () => {
    await expect(consumer.publish(spec.name, [{ key: 'a', value: {} }])).rejects.toThrow('no event signing key');
  });
});
