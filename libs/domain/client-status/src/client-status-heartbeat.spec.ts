import { ClientStatusFreshness, createClientStatusHeartbeat, parseClientStatusHeartbeat } from './client-status-heartbeat';

describe('parseClientStatusHeartbeat', () => {
  it('reads what createClientStatusHeartbeat writes', () => {
    const heartbeat = createClientStatusHeartbeat(new Date('2026-12-01T12:00:00.250Z'));
    expect(parseClientStatusHeartbeat(JSON.parse(JSON.stringify(heartbeat)))).toEqual({ ok: true, heartbeat });
  });

  it.each([
    ['not an object', 'heartbeat'],
    ['a client event', { type: 'registration.client.changed', version: 1, watermark: '2026-12-01T12:00:00Z' }],
    ['a later version', { type: 'registration.client-status.heartbeat', version: 2, watermark: '2026-12-01T12:00:00Z' }],
    ['no watermark', { type: 'registration.client-status.heartbeat', version: 1 }],
    ['a number for a watermark', { type: 'registration.client-status.heartbeat', version: 1, watermark: 1764590400000 }],
    ['an impossible date', { type: 'registration.client-status.heartbeat', version: 1, watermark: '2026-02-30T12:00:00Z' }],
    ['no time zone', { type: 'registration.client-status.heartbeat', version: 1, watermark: '2026-12-01T12:00:00' }],
  ])('refuses %s', (_case, value) => {
    expect(parseClientStatusHeartbeat(value).ok).toBe(false);
  });
});

describe(ClientStatusFreshness.name, () => {
  let now = Date.parse('2026-12-01T12:00:00Z');
  const clock = () => now;
  const at = (offsetMs: number) => createClientStatusHeartbeat(new Date(Date.parse('2026-12-01T12:00:00Z') + offsetMs));

  beforeEach(() => {
    now = Date.parse('2026-12-01T12:00:00Z');
  });

  it('is stale before any heartbeat, current after one, and stale again once older than the bound', () => {
    const sut = new ClientStatusFreshness(60_000, clock);
    expect(sut.isStale()).toBe(true);
    expect(sut.ageMs()).toBe(Number.POSITIVE_INFINITY);
    expect(sut.record(at(-5_000))).toBe(true);
    expect(sut.ageMs()).toBe(5_000);
    expect(sut.isStale()).toBe(false);
    now += 55_000;
    expect(sut.isStale()).toBe(false);
    now += 1;
    expect(sut.isStale()).toBe(true);
  });

  it('never moves back, and a watermark ahead of the clock counts as now', () => {
    const sut = new ClientStatusFreshness(60_000, clock);
    expect(sut.record(at(3_600_000))).toBe(true);
    expect(sut.currentAsOf()).toBe(now);
    expect(sut.record(at(-1_000))).toBe(false);
    now += 61_000;
    expect(sut.isStale()).toBe(true);
  });

  it('is never stale with a bound of 0', () => {
    expect(new ClientStatusFreshness(0, clock).isStale()).toBe(false);
  });

  it('asks clients to retry within the bound', () => {
    expect(new ClientStatusFreshness(60_000, clock).retryAfterSeconds()).toBe(15);
    expect(new ClientStatusFreshness(2_000, clock).retryAfterSeconds()).toBe(1);
    expect(new ClientStatusFreshness(3_600_000, clock).retryAfterSeconds()).toBe(30);
  });
});
