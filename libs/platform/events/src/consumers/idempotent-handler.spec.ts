import type { IncomingEvent } from '../event-bus';
import { LatestVersionGate, RecentEventIds, dedupedHandler, integerField, stringField, versionedHandler } from './idempotent-handler';

function event(key: string, value: unknown, offset = '0'): IncomingEvent {
  return { topic: 't', key, value, offset, partition: 0, timestamp: 0, headers: {} };
}

describe(LatestVersionGate.name, () => {
  it('accepts only versions newer than the one recorded per key', () => {
    const sut = new LatestVersionGate();
    expect(sut.isNewer('a', 1)).toBe(true);
    sut.record('a', 2);
    expect(sut.isNewer('a', 1)).toBe(false);
    expect(sut.isNewer('a', 2)).toBe(false);
    expect(sut.isNewer('a', 3)).toBe(true);
    expect(sut.isNewer('b', 1)).toBe(true);
  });

  it('never moves a key backwards', () => {
    const sut = new LatestVersionGate();
    sut.record('a', 5);
    sut.record('a', 3);
    expect(sut.versionOf('a')).toBe(5);
  });
});

describe(versionedHandler.name, () => {
  const clientVersion = integerField('clientVersion');

  it('applies each version once and drops stale and duplicate ones', async () => {
    const gate = new LatestVersionGate();
    const applied: number[] = [];
    const dropped: number[] = [];
    const sut = versionedHandler(
      { gate, version: clientVersion, onDropped: (e) => dropped.push((e.value as { clientVersion: number }).clientVersion) },
      async (e) => {
        applied.push((e.value as { clientVersion: number }).clientVersion);
      },
    );
    for (const v of [1, 2, 2, 1, 3, 3]) await sut(event('client-1', { clientVersion: v }));
    expect(applied).toEqual([1, 2, 3]);
    expect(dropped).toEqual([2, 1, 3]);
  });

  it('keeps keys apart', async () => {
    const gate = new LatestVersionGate();
    const applied: string[] = [];
    const sut = versionedHandler({ gate, version: clientVersion }, async (e) => {
      applied.push(e.key);
    });
    await sut(event('a', { clientVersion: 4 }));
    await sut(event('b', { clientVersion: 1 }));
    expect(applied).toEqual(['a', 'b']);
  });

  it('does not record a version whose handler failed, so the retry is applied', async () => {
    const gate = new LatestVersionGate();
    let fail = true;
    const applied: number[] = [];
    const sut = versionedHandler({ gate, version: clientVersion }, async (e) => {
      if (fail) throw new Error('database down');
      applied.push((e.value as { clientVersion: number }).clientVersion);
    });
    await expect(sut(event('a', { clientVersion: 1 }))).rejects.toThrow('database down');
    fail = false;
    await sut(event('a', { clientVersion: 1 }));
    expect(applied).toEqual([1]);
  });

  it('hands events without a usable version to the handler', async () => {
    const gate = new LatestVersionGate();
    const seen: unknown[] = [];
    const sut = versionedHandler({ gate, version: clientVersion }, async (e) => {
      seen.push(e.value);
    });
    await sut(event('a', { clientVersion: '2' }));
    await sut(event('a', null));
    expect(seen).toEqual([{ clientVersion: '2' }, null]);
  });
});

describe(RecentEventIds.name, () => {
  it('forgets the oldest id beyond its capacity', () => {
    const sut = new RecentEventIds(2);
    sut.add('1');
    sut.add('2');
    sut.add('3');
    expect([sut.has('1'), sut.has('2'), sut.has('3'), sut.size]).toEqual([false, true, true, 2]);
  });
});

describe(dedupedHandler.name, () => {
  it('handles an event id once, and again only if the first attempt failed', async () => {
    const seen = new RecentEventIds();
    const handled: string[] = [];
    let failNext = true;
    const sut = dedupedHandler({ seen, eventId: stringField('eventId') }, async (e) => {
      if (failNext) {
        failNext = false;
        throw new Error('boom');
      }
      handled.push(e.offset);
    });
    await expect(sut(event('k', { eventId: 'e1' }, '0'))).rejects.toThrow('boom');
    await sut(event('k', { eventId: 'e1' }, '0'));
    await sut(event('k', { eventId: 'e1' }, '1'));
    await sut(event('k', { eventId: 'e2' }, '2'));
    expect(handled).toEqual(['0', '2']);
  });
});
