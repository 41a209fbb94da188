import { randomUUID } from 'node:crypto';
import type { FhirEventsMetrics } from './fhir-events.metrics';
import { GrantDenylist } from './grant-denylist';

const revoked = (grantId: string, expiresAt: number) => ({
  type: 'authorization.grant.revoked',
  version: 1,
  eventId: randomUUID(),
  occurredAt: new Date(0).toISOString(),
  grantId,
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  reason: 'member_revoked',
  expiresAt: new Date(expiresAt).toISOString(),
});

describe(GrantDenylist.name, () => {
  const metrics = { revocationApplied: jest.fn() } as unknown as FhirEventsMetrics;
  const t0 = Date.parse('2026-12-01T00:00:00Z');

  it('denies a grant until its expiresAt, then forgets it when asked', () => {
    const denylist = new GrantDenylist(metrics);
    denylist.apply(revoked('g1', t0 + 1000), t0);
    expect(denylist.isDenied('g1', t0 + 999)).toBe(true);
    expect(denylist.isDenied('g1', t0 + 1000)).toBe(false);
    expect(denylist.size).toBe(0);
  });

  it('sweeps out expired grants whose tokens never come back, and keeps the live ones', () => {
    const denylist = new GrantDenylist(metrics);
    for (let index = 0; index < 100; index += 1) denylist.apply(revoked(`old-${index}`, t0 + 1000), t0);
    denylist.apply(revoked('live', t0 + 3_600_000), t0);
    expect(denylist.size).toBe(101);
    denylist.apply(revoked('next', t0 + 3_600_000), t0 + 120_000);
    expect(denylist.size).toBe(2);
    expect(denylist.isDenied('live', t0 + 120_000)).toBe(true);
    expect(denylist.isDenied('next', t0 + 120_000)).toBe(true);
  });
});
