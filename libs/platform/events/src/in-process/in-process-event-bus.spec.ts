import { UnknownTopicError, type IncomingEvent } from '../event-bus';
import { clientChangedTopicSpec, grantRevokedTopicSpec } from '../topics';
import { InProcessEventBus } from './in-process-event-bus';

const compacted = { ...clientChangedTopicSpec(), name: 'test.compacted.v1' };
const deleted = { ...grantRevokedTopicSpec(), name: 'test.deleted.v1' };
const fastRetry = { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 };

function collector() {
  const events: IncomingEvent[] = [];
  let notify: (() => void) | undefined;
  return {
    events,
    handler: async (event: IncomingEvent) => {
      events.push(event);
      notify?.();
    },
    /** Resolves once `count` events have arrived. */
    async received(count: number): Promise<void> {
      while (events.length < count) await new Promise<void>((resolve) => (notify = resolve));
    },
  };
}

describe(InProcessEventBus.name, () => {
  let sut: InProcessEventBus;
  beforeEach(async () => {
    sut = new InProcessEventBus({ handlerBackoff: fastRetry });
    await sut.ensureTopics([compacted, deleted]);
    await sut.start();
  });
  afterEach(() => sut.stop());

  it('refuses to publish to a topic that was not created, like a broker without auto-creation', async () => {
    await expect(sut.publish('nope.v1', [{ key: 'k', value: {} }])).rejects.toBeInstanceOf(UnknownTopicError);
  });

  it('lets a subscription wait for its topic to be created, as Kafka consumers retry', async () => {
    const seen = collector();
    const subscription = await sut.subscribe({ topic: 'later.v1', groupId: 'g', fromBeginning: true, handler: seen.handler });
    expect(subscription.isCaughtUp()).toBe(false);
    await sut.ensureTopics([{ ...deleted, name: 'later.v1' }]);
    await subscription.waitUntilCaughtUp({ timeoutMs: 1_000 });
    await sut.publish('later.v1', [{ key: 'k', value: { n: 1 } }]);
    await seen.received(1);
    expect(seen.events[0].value).toEqual({ n: 1 });
  });

  it('delivers parsed copies with key, offset, headers and timestamp, in order', async () => {
    const seen = collector();
    await sut.subscribe({ topic: deleted.name, groupId: 'g', fromBeginning: true, handler: seen.handler });
    const value = { n: 1 };
    await sut.publish(deleted.name, [
      { key: 'a', value, headers: { 'event-type': 'x' } },
      { key: 'b', value: { n: 2 } },
    ]);
    value.n = 99; // the published event is a snapshot, not a shared object
    await seen.received(2);
    expect(seen.events.map((e) => [e.key, e.value, e.offset, e.partition])).toEqual([
      ['a', { n: 1 }, '0', 0],
      ['b', { n: 2 }, '1', 0],
    ]);
    expect(seen.events[0].headers).toEqual({ 'event-type': 'x' });
    expect(seen.events[0].timestamp).toBeGreaterThan(0);
  });

  it('replays a compacted topic from the beginning with only the last event per key', async () => {
    await sut.publish(compacted.name, [
      { key: 'client-1', value: { v: 1 } },
      { key: 'client-2', value: { v: 1 } },
      { key: 'client-1', value: { v: 2 } },
    ]);
    expect(sut.retained(compacted.name).map((e) => [e.offset, e.key])).toEqual([
      ['1', 'client-2'],
      ['2', 'client-1'],
    ]);
    const seen = collector();
    const subscription = await sut.subscribe({ topic: compacted.name, groupId: 'replay', fromBeginning: true, handler: seen.handler });
    await subscription.waitUntilCaughtUp({ timeoutMs: 1_000 });
    expect(seen.events.map((e) => [e.key, e.value])).toEqual([
      ['client-2', { v: 1 }],
      ['client-1', { v: 2 }],
    ]);
  });

  it('starts a new group at the end unless fromBeginning, and is caught up at once', async () => {
    await sut.publish(deleted.name, [{ key: 'old', value: {} }]);
    const seen = collector();
    const subscription = await sut.subscribe({ topic: deleted.name, groupId: 'latest', fromBeginning: false, handler: seen.handler });
    expect(subscription.isCaughtUp()).toBe(true);
    await sut.publish(deleted.name, [{ key: 'new', value: {} }]);
    await seen.received(1);
    expect(seen.events.map((e) => e.key)).toEqual(['new']);
  });

  it('resumes a group from its committed offset', async () => {
    const first = collector();
    const subscription = await sut.subscribe({ topic: deleted.name, groupId: 'durable', fromBeginning: true, handler: first.handler });
    await sut.publish(deleted.name, [{ key: 'a', value: {} }]);
    await first.received(1);
    await subscription.close();

    await sut.publish(deleted.name, [{ key: 'b', value: {} }]);
    const second = collector();
    await sut.subscribe({ topic: deleted.name, groupId: 'durable', fromBeginning: true, handler: second.handler });
    await second.received(1);
    expect(second.events.map((e) => e.key)).toEqual(['b']);
  });

  it('retries a failing handler on the same event without skipping it or reordering', async () => {
    let failures = 2;
    const handled: string[] = [];
    const subscription = await sut.subscribe({
      topic: deleted.name,
      groupId: 'flaky',
      fromBeginning: true,
      handler: async (e) => {
        if (e.key === 'a' && failures-- > 0) throw new Error('not yet');
        handled.push(e.key);
      },
    });
    await sut.publish(deleted.name, [
      { key: 'a', value: {} },
      { key: 'b', value: {} },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(handled).toEqual(['a', 'b']);
    expect(subscription.isCaughtUp()).toBe(true);
  });

  it('waits for catch-up until every event present at subscription time is handled', async () => {
    await sut.publish(compacted.name, [
      { key: 'a', value: {} },
      { key: 'b', value: {} },
    ]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subscription = await sut.subscribe({ topic: compacted.name, groupId: 'slow', fromBeginning: true, handler: () => gate });
    expect(subscription.isCaughtUp()).toBe(false);
    release();
    await subscription.waitUntilCaughtUp({ timeoutMs: 1_000 });
    expect(subscription.isCaughtUp()).toBe(true);
  });

  it('gives every group every event, and allows one live subscription per group', async () => {
    const one = collector();
    const two = collector();
    await sut.subscribe({ topic: deleted.name, groupId: 'one', fromBeginning: true, handler: one.handler });
    await sut.subscribe({ topic: deleted.name, groupId: 'two', fromBeginning: true, handler: two.handler });
    await expect(sut.subscribe({ topic: deleted.name, groupId: 'two', fromBeginning: true, handler: two.handler })).rejects.toThrow(/one subscription per group/);
    await sut.publish(deleted.name, [{ key: 'x', value: {} }]);
    await Promise.all([one.received(1), two.received(1)]);
  });

  it('stops a subscription that is retrying, leaving the event for the next consumer', async () => {
    const subscription = await sut.subscribe({
      topic: deleted.name,
      groupId: 'stuck',
      fromBeginning: true,
      handler: async () => {
        throw new Error('always');
      },
    });
    await sut.publish(deleted.name, [{ key: 'a', value: {} }]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await subscription.close();
    const next = collector();
    await sut.subscribe({ topic: deleted.name, groupId: 'stuck', fromBeginning: true, handler: next.handler });
    await next.received(1);
    expect(next.events[0].key).toBe('a');
  });

  it('holds subscriptions made before start until start', async () => {
    const bus = new InProcessEventBus();
    await bus.ensureTopics([deleted]);
    const seen = collector();
    await bus.subscribe({ topic: deleted.name, groupId: 'g', fromBeginning: true, handler: seen.handler });
    await bus.publish(deleted.name, [{ key: 'a', value: {} }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.events).toHaveLength(0);
    await bus.start();
    await seen.received(1);
    await bus.stop();
  });
});
