import { randomUUID } from 'node:crypto';
import type { EventBus, IncomingEvent, SubscribeOptions, Subscription } from './event-bus';
import { clientChangedTopicSpec, grantRevokedTopicSpec, type TopicSpec } from './topics';

/** How one adapter is set up for the shared contract suite. */
export interface EventBusContractTarget {
  /**
   * A bus that is not started yet. With a durable log, every call opens a new instance on the same
   * storage (what a process restart sees); the in-memory bus has nothing to reopen.
   */
  open(): Promise<EventBus>;
  /** A new instance sees what an earlier one stored: the restart properties apply. */
  durable: boolean;
  /** A compacted topic without `min.compaction.lag.ms` drops a key's older events as soon as a newer one is stored. */
  compactsOnWrite: boolean;
  /**
   * Events past `retention.ms` are gone within a second (a broker deletes whole segments on its
   * own schedule, so Kafka is not held to it).
   */
  expiresOnTime: boolean;
  /** Delay between attempts of a failing handler, set by `open` (kept short for the suite). */
  settleMs: number;
  /** Removes the topics created through `topic` (for a shared broker). */
  dropTopics?(names: string[]): Promise<void>;
}

const TIMEOUT_MS = 30_000;

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function collector<T = unknown>() {
  const events: IncomingEvent<T>[] = [];
  return {
    events,
    handler: async (event: IncomingEvent<T>) => {
      events.push(event);
    },
    received: (count: number, what = `${count} event(s)`) => eventually(() => events.length >= count, what),
    keys: () => events.map((event) => event.key),
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour services rely on, run against every `EventBus` adapter (Kafka, the PostgreSQL log,
 * the in-memory bus), so that a service cannot tell which one it runs on.
 */
export function describeEventBusContract(name: string, target: () => EventBusContractTarget): void {
  describe(`${name} (event bus contract)`, () => {
    const created: string[] = [];
    const running: EventBus[] = [];
    const subscriptions: Subscription[] = [];

    function topic(spec: TopicSpec): TopicSpec {
      const unique = { ...spec, name: `contract.${spec.name}.${randomUUID().slice(0, 8)}` };
      created.push(unique.name);
      return unique;
    }
    const compacted = () => topic(clientChangedTopicSpec());
    /** Compacted with no lag: only the latest event of a key is meant to stay. */
    const compactedAtOnce = () => topic(clientChangedTopicSpec({ config: { 'min.compaction.lag.ms': '0' } }));
    const deleted = () => topic(grantRevokedTopicSpec());

    async function bus(topics: TopicSpec[], start = true): Promise<EventBus> {
      const opened = await target().open();
      running.push(opened);
      await opened.ensureTopics(topics);
      if (start) await opened.start();
      return opened;
    }

    async function subscribe<T>(on: EventBus, options: SubscribeOptions<T>): Promise<Subscription> {
      const subscription = await on.subscribe<T>(options);
      subscriptions.push(subscription);
      return subscription;
    }

    const group = () => `contract-${randomUUID()}`;

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
      await Promise.all(running.splice(0).map((opened) => opened.stop()));
    });

    afterAll(async () => {
      await target().dropTopics?.(created);
    });

    it('refuses to publish to a topic that was never created', async () => {
      const sut = await bus([]);
      await expect(sut.publish(`contract.missing.${randomUUID()}`, [{ key: 'k', value: {} }])).rejects.toThrow();
    });

    it('creates topics again without complaint', async () => {
      const spec = compacted();
      const sut = await bus([spec]);
      await expect(sut.ensureTopics([spec])).resolves.toBeUndefined();
    });

    it('delivers parsed copies with key, offset, partition, headers and timestamp, in order per key', async () => {
      const spec = compacted();
      const sut = await bus([spec]);
      const seen = collector<{ v: number; text?: string }>();
      await subscribe(sut, { topic: spec.name, groupId: group(), fromBeginning: true, handler: seen.handler });
      const odd = 'NUL\u0000 é 漢字 🧪 \u202e rtl';
      const value = { v: 0, text: odd };
      await sut.publish(spec.name, [
        { key: 'client-a', value, headers: { 'event-type': 'client.changed', 'event-id': 'e-1' } },
        { key: 'client-b', value: { v: 1 } },
      ]);
      value.v = 99; // the published event is a snapshot
      await sut.publish(spec.name, [{ key: 'client-a', value: { v: 2 } }]);
      await seen.received(3);
      expect(seen.events.map((event) => [event.key, event.value.v])).toEqual([
        ['client-a', 0],
        ['client-b', 1],
        ['client-a', 2],
      ]);
      expect(seen.events[0]).toMatchObject({ topic: spec.name, partition: 0, headers: { 'event-type': 'client.changed', 'event-id': 'e-1' } });
      expect(seen.events[0].value.text).toBe(odd);
      expect(seen.events[1].headers).toEqual({});
      expect(Math.abs(seen.events[0].timestamp - Date.now())).toBeLessThan(60_000);
      const offsets = seen.events.map((event) => BigInt(event.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(offsets).size).toBe(3);
    });

    it('keeps every key in order while several publishers write at once', async () => {
      const spec = { ...deleted(), numPartitions: 3 };
      const publishers = await Promise.all([bus([spec]), target().durable ? bus([spec]) : undefined]);
      const seen = collector<{ n: number }>();
      await subscribe(publishers[0], { topic: spec.name, groupId: group(), fromBeginning: true, handler: seen.handler });
      const keys = Array.from({ length: 6 }, (_, index) => `key-${index}`);
      const perKey = 15;
      await Promise.all(
        keys.map(async (key, index) => {
          const publisher = publishers[index % 2] ?? publishers[0];
          for (let n = 0; n < perKey; n++) await publisher.publish(spec.name, [{ key, value: { n } }]);
        }),
      );
      await seen.received(keys.length * perKey, 'every event of every publisher');
      for (const key of keys) {
        expect(seen.events.filter((event) => event.key === key).map((event) => event.value.n)).toEqual(Array.from({ length: perKey }, (_, n) => n));
      }
      const positions = seen.events.map((event) => `${event.partition}:${event.offset}`);
      expect(new Set(positions).size).toBe(positions.length);
      // One key, one partition.
      for (const key of keys) expect(new Set(seen.events.filter((event) => event.key === key).map((event) => event.partition)).size).toBe(1);
    });

    it('replays a compacted topic with the latest event of every key last', async () => {
      const spec = compactedAtOnce();
      const sut = await bus([spec]);
      await sut.publish(spec.name, [
        { key: 'client-1', value: { version: 1 } },
        { key: 'client-2', value: { version: 1 } },
        { key: 'client-1', value: { version: 2 } },
      ]);
      const seen = collector<{ version: number }>();
      const subscription = await subscribe(sut, { topic: spec.name, groupId: group(), fromBeginning: true, handler: seen.handler });
      await subscription.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      const latest = new Map(seen.events.map((event) => [event.key, event.value.version]));
      expect(Object.fromEntries(latest)).toEqual({ 'client-1': 2, 'client-2': 1 });
      if (target().compactsOnWrite) {
        expect(seen.events.map((event) => [event.key, event.value.version])).toEqual([
          ['client-2', 1],
          ['client-1', 2],
        ]);
      }
    });

    it('starts a new group at the end unless fromBeginning, caught up at once', async () => {
      const spec = deleted();
      const sut = await bus([spec]);
      await sut.publish(spec.name, [{ key: 'old', value: {} }]);
      const seen = collector();
      const subscription = await subscribe(sut, { topic: spec.name, groupId: group(), fromBeginning: false, handler: seen.handler });
      await subscription.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      // Kafka joins the group in the background, and what is published before it has joined is
      // behind its starting point: publish until one arrives.
      await eventually(async () => {
        await sut.publish(spec.name, [{ key: 'new', value: {} }]);
        await pause(250);
        return seen.events.length > 0;
      }, 'a new event');
      expect(new Set(seen.keys())).toEqual(new Set(['new']));
    });

    it('is caught up at once on an empty topic', async () => {
      const spec = deleted();
      const sut = await bus([spec]);
      const subscription = await subscribe(sut, { topic: spec.name, groupId: group(), fromBeginning: true, handler: async () => undefined });
      await subscription.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      expect(subscription.isCaughtUp()).toBe(true);
    });

    it('resumes a group from its committed offset, whatever fromBeginning says', async () => {
      const spec = deleted();
      const sut = await bus([spec]);
      const groupId = group();
      await sut.publish(spec.name, [{ key: 'a', value: {} }]);
      const first = collector();
      const subscription = await subscribe(sut, { topic: spec.name, groupId, fromBeginning: true, handler: first.handler });
      await first.received(1);
      await subscription.close();

      await sut.publish(spec.name, [{ key: 'b', value: {} }]);
      const second = collector();
      await subscribe(sut, { topic: spec.name, groupId, fromBeginning: true, handler: second.handler });
      await second.received(1);
      await pause(300);
      expect(second.keys()).toEqual(['b']);
    });

    it('retries a failing handler on the same event, never skipping or reordering it', async () => {
      const spec = deleted();
      const sut = await bus([spec]);
      let failures = 3;
      const handled: string[] = [];
      await subscribe(sut, {
        topic: spec.name,
        groupId: group(),
        fromBeginning: true,
        handler: async (event) => {
          if (event.key === 'a' && failures-- > 0) throw new Error('projection store unavailable');
          handled.push(event.key);
        },
      });
      await sut.publish(spec.name, [
        { key: 'a', value: {} },
        { key: 'b', value: {} },
      ]);
      await eventually(() => handled.length === 2, 'both events handled');
      expect(handled).toEqual(['a', 'b']);
      expect(failures).toBe(-1);
    });

    it('reports caught up only once every event present at start is handled', async () => {
      const spec = compacted();
      const sut = await bus([spec]);
      await sut.publish(
        spec.name,
        Array.from({ length: 30 }, (_, index) => ({ key: `client-${index}`, value: { index } })),
      );
      let handled = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const subscription = await subscribe(sut, {
        topic: spec.name,
        groupId: group(),
        fromBeginning: true,
        handler: async () => {
          await gate;
          handled++;
        },
      });
      await pause(300);
      expect(subscription.isCaughtUp()).toBe(false);
      await expect(subscription.waitUntilCaughtUp({ timeoutMs: 50 })).rejects.toThrow(/did not catch up/);
      release();
      await subscription.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      expect(handled).toBe(30);
    });

    it('closes promptly while a handler keeps failing, leaving the event to the group', async () => {
      const spec = deleted();
      const sut = await bus([spec]);
      const groupId = group();
      let attempts = 0;
      const failing = await sut.subscribe({
        topic: spec.name,
        groupId,
        fromBeginning: true,
        handler: async () => {
          attempts++;
          throw new Error('downstream unavailable');
        },
      });
      await sut.publish(spec.name, [{ key: 'stuck', value: {} }]);
      await eventually(() => attempts >= 2, 'retries');
      const closing = Date.now();
      await failing.close();
      expect(Date.now() - closing).toBeLessThan(10_000);

      const next = collector();
      await subscribe(sut, { topic: spec.name, groupId, fromBeginning: true, handler: next.handler });
      await next.received(1);
      expect(next.keys()).toEqual(['stuck']);
    });

    it('holds subscriptions made before start until start', async () => {
      const spec = deleted();
      const publisher = await bus([spec]);
      const sut = await bus([spec], false);
      const seen = collector();
      await subscribe(sut, { topic: spec.name, groupId: group(), fromBeginning: true, handler: seen.handler });
      // The in-memory bus has one log per instance: publish through the subscriber's bus then.
      await (target().durable ? publisher : sut).publish(spec.name, [{ key: 'a', value: {} }]);
      await pause(300);
      expect(seen.events).toHaveLength(0);
      await sut.start();
      await seen.received(1);
    });

    it('lets a subscription wait for a topic created later', async () => {
      const spec = deleted();
      const sut = await bus([]);
      const seen = collector();
      const subscription = await subscribe(sut, { topic: spec.name, groupId: group(), fromBeginning: true, handler: seen.handler });
      expect(subscription.isCaughtUp()).toBe(false);
      await sut.ensureTopics([spec]);
      await subscription.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      await sut.publish(spec.name, [{ key: 'k', value: { n: 1 } }]);
      await seen.received(1);
      expect(seen.events[0].value).toEqual({ n: 1 });
    });

    (target().expiresOnTime ? it : it.skip)('never delivers events past their retention', async () => {
      const spec = topic({ name: 'short-retention', numPartitions: 1, config: { 'cleanup.policy': 'delete', 'retention.ms': '400' } });
      const sut = await bus([spec]);
      await sut.publish(spec.name, [{ key: 'expired', value: {} }]);
      await pause(800);
      await sut.publish(spec.name, [{ key: 'fresh', value: {} }]);
      const seen = collector();
      const subscription = await subscribe(sut, { topic: spec.name, groupId: group(), fromBeginning: true, handler: seen.handler });
      await subscription.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      await seen.received(1);
      await pause(200);
      expect(seen.keys()).toEqual(['fresh']);
    });

    (target().durable ? it : it.skip)('keeps the log across a restart: new groups replay it, old groups resume, cleanup holds', async () => {
      const clients = compactedAtOnce();
      const grants = deleted();
      const shortLived = topic({ name: 'short-retention', numPartitions: 1, config: { 'cleanup.policy': 'delete', 'retention.ms': '400' } });
      const groupId = group();

      const before = await bus([clients, grants, shortLived]);
      await before.publish(clients.name, [
        { key: 'client-1', value: { status: 'approved', version: 1 } },
        { key: 'client-2', value: { status: 'approved', version: 1 } },
      ]);
      await before.publish(clients.name, [{ key: 'client-1', value: { status: 'suspended', version: 2 } }]);
      await before.publish(grants.name, [{ key: 'grant-1', value: { revoked: true } }]);
      await before.publish(shortLived.name, [{ key: 'gone', value: {} }]);
      const first = collector();
      const consumed = await before.subscribe({ topic: grants.name, groupId, fromBeginning: true, handler: first.handler });
      await first.received(1);
      await consumed.close();
      await before.stop();
      running.splice(running.indexOf(before), 1);
      await pause(800);

      const after = await bus([clients, grants, shortLived]);
      await after.publish(grants.name, [{ key: 'grant-2', value: { revoked: true } }]);

      const replay = collector<{ status: string; version: number }>();
      const replaying = await subscribe(after, { topic: clients.name, groupId: group(), fromBeginning: true, handler: replay.handler });
      await replaying.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      expect(Object.fromEntries(replay.events.map((event) => [event.key, event.value.status]))).toEqual({ 'client-1': 'suspended', 'client-2': 'approved' });
      if (target().compactsOnWrite) expect(replay.keys()).toEqual(['client-2', 'client-1']);

      const resumed = collector();
      await subscribe(after, { topic: grants.name, groupId, fromBeginning: true, handler: resumed.handler });
      await resumed.received(1);
      await pause(300);
      expect(resumed.keys()).toEqual(['grant-2']);

      const fresh = collector();
      const all = await subscribe(after, { topic: grants.name, groupId: group(), fromBeginning: true, handler: fresh.handler });
      await all.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
      expect(fresh.keys()).toEqual(['grant-1', 'grant-2']);

      if (target().expiresOnTime) {
        const expired = collector();
        const reading = await subscribe(after, { topic: shortLived.name, groupId: group(), fromBeginning: true, handler: expired.handler });
        await reading.waitUntilCaughtUp({ timeoutMs: TIMEOUT_MS });
        await pause(200);
        expect(expired.events).toEqual([]);
      }
    });
  });
}
