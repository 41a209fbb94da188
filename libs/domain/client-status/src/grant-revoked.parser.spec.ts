import { decodeGrantRevokedEvent, parseGrantRevokedEvent } from './grant-revoked.parser';
import type { GrantRevokedEventV1 } from './grant-revoked.event';

const valid: GrantRevokedEventV1 = {
  type: 'authorization.grant.revoked',
  version: 1,
  eventId: '0b7f3c0e-4a43-4f0e-9a2b-6f5d0c1e2a3b',
  occurredAt: '2026-11-23T14:00:00.000Z',
  grantId: 'grant-123',
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  reason: 'member_revoked',
  expiresAt: '2026-11-24T14:00:00.000Z',
};

describe(parseGrantRevokedEvent.name, () => {
  it('accepts a well-formed event and drops unknown fields', () => {
    const result = parseGrantRevokedEvent({ ...valid, extra: 'ignored' });
    expect(result).toEqual({ ok: true, event: valid });
  });

  it('reports every problem at once', () => {
    const result = parseGrantRevokedEvent({ ...valid, version: 2, grantId: '', reason: 'bored', expiresAt: 'tomorrow' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.code).toBe('invalid_event');
    expect(result.rejection.issues.map((issue) => issue.path)).toEqual(['version', 'grantId', 'reason', 'expiresAt']);
  });

  it('rejects a payload that is not an object', () => {
    expect(parseGrantRevokedEvent(['grant-123'])).toEqual({
      ok: false,
      rejection: { code: 'invalid_event', issues: [{ path: '$', message: 'must be an object' }] },
    });
  });
});

describe(decodeGrantRevokedEvent.name, () => {
  it('decodes the bytes a Kafka consumer receives', () => {
    expect(decodeGrantRevokedEvent(Buffer.from(JSON.stringify(valid)))).toEqual({ ok: true, event: valid });
  });

  it('reports bytes that are not JSON', () => {
    const result = decodeGrantRevokedEvent(Buffer.from('{"type":'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.code).toBe('invalid_json');
  });
});
