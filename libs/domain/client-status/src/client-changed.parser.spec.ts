import { generateKeyPairSync } from 'node:crypto';
import type { ClientChangedEventV1 } from './client-changed.event';
import { decodeClientChangedEvent, parseClientChangedEvent } from './client-changed.parser';

type Json = Record<string, unknown>;

/** A valid payload as another producer might serialize it, with the optional fields present. */
function payload(): Json {
  return {
    type: 'registration.client.changed',
    version: 1,
    eventId: '5E3A9C1B-7D4F-4A2E-B8C6-0123456789AB',
    occurredAt: '2025-03-04T10:16:17-05:00',
    clientId: 'payer-7',
    registrationId: 'reg-7',
    kind: 'payer',
    status: 'approved',
    previousStatus: null,
    clientVersion: 1,
    change: { action: 'approve', reason: 'Attestations verified', actor: { role: 'admin', id: 'staff-2' } },
    client: {
      name: 'Other Health Plan',
      clientType: 'confidential',
      redirectUris: [],
      sealedSecretHash: 'eyJhbGciOiJkaXIifQ..aXY.Y2lwaGVy.dGFn',
      allowedScopes: ['system/*.rs'],
      system: true,
      logoUri: 'https://plan.example/logo.png',
      policyUri: 'https://plan.example/privacy',
      tosUri: 'https://plan.example/terms',
      companyName: 'Other Health Plan, Inc.',
      contactEmail: 'api@plan.example',
    },
  };
}

function withField(path: string, value: unknown): Json {
  const root = payload();
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce((node, key) => node[key] as Json, root);
  if (value === undefined) {
    delete parent[last];
  } else {
    parent[last] = value;
  }
  return root;
}

function issuePaths(value: unknown): readonly string[] {
  const result = parseClientChangedEvent(value);
  return result.ok ? [] : result.rejection.issues.map((issue) => issue.path);
}

describe('parseClientChangedEvent', () => {
  it('accepts a complete payload', () => {
    const result = parseClientChangedEvent(payload());

    expect(result).toStrictEqual({ ok: true, event: payload() as unknown as ClientChangedEventV1 });
  });

  it('drops fields it does not know, so v1 can grow without breaking consumers', () => {
    const extended = { ...payload(), traceId: 'abc', client: { ...(payload().client as Json), sectorIdentifierUri: 'x' } };

    expect(parseClientChangedEvent(extended)).toStrictEqual(parseClientChangedEvent(payload()));
  });

  it('carries the instant before which credentials are refused, when there is one', () => {
    expect(parseClientChangedEvent(withField('notBefore', '2026-11-30T08:00:00.123Z'))).toMatchObject({ ok: true, event: { notBefore: '2026-11-30T08:00:00.123Z' } });
    expect(parseClientChangedEvent(withField('notBefore', '2024-02-29T23:59:59+05:00')).ok).toBe(true);
    const without = parseClientChangedEvent(withField('notBefore', null));
    expect(without.ok && 'notBefore' in without.event).toBe(false);
  });

  it('treats null optional fields as absent', () => {
    const result = parseClientChangedEvent(
      withField('client', { ...(payload().client as Json), logoUri: null, tosUri: null, companyName: undefined }),
    );

    expect(result.ok && Object.keys(result.event.client)).toEqual([
      'name',
      'clientType',
      'redirectUris',
      'sealedSecretHash',
      'allowedScopes',
      'system',
      'policyUri',
      'contactEmail',
    ]);
  });

  it('accepts the largest version a PostgreSQL integer holds', () => {
    expect(parseClientChangedEvent(withField('clientVersion', 2 ** 31 - 1))).toMatchObject({ ok: true, event: { clientVersion: 2 ** 31 - 1 } });
  });

  it('accepts an empty change and an actor-less change', () => {
    expect(parseClientChangedEvent(withField('change', {})).ok).toBe(true);
    expect(parseClientChangedEvent(withField('change', { reason: 'rotated', actor: null, action: null })).ok).toBe(
      true,
    );
  });

  it.each([null, undefined, 'registration.client.changed', 42, [], [payload()]])('rejects the non-object %j', (value) => {
    expect(parseClientChangedEvent(value)).toEqual({
      ok: false,
      rejection: { code: 'invalid_event', issues: [{ path: '$', message: 'must be an object' }] },
    });
  });

  it.each<[string, unknown, string]>([
    ['type', 'registration.client.status-changed', 'type'],
    ['type', undefined, 'type'],
    ['version', 2, 'version'],
    ['version', '1', 'version'],
    ['eventId', 'not-a-uuid', 'eventId'],
    ['eventId', '5e3a9c1b7d4f4a2eb8c60123456789ab', 'eventId'],
    ['occurredAt', '2025-03-04T10:16:17', 'occurredAt'],
    ['occurredAt', '2025-03-04', 'occurredAt'],
    ['occurredAt', '2025-13-04T10:16:17Z', 'occurredAt'],
    ['occurredAt', 1741101377000, 'occurredAt'],
    ['clientId', '', 'clientId'],
    ['clientId', 7, 'clientId'],
    ['registrationId', undefined, 'registrationId'],
    ['kind', 'provider', 'kind'],
    ['status', 'Approved', 'status'],
    ['status', 'active', 'status'],
    ['previousStatus', undefined, 'previousStatus'],
    ['previousStatus', 'rejected', 'previousStatus'],
    ['clientVersion', 0, 'clientVersion'],
    ['clientVersion', 1.5, 'clientVersion'],
    ['clientVersion', '3', 'clientVersion'],
    ['clientVersion', 2 ** 53, 'clientVersion'],
    // Safe integers, but beyond the PostgreSQL integer every consumer stores the version in.
    ['clientVersion', 2 ** 53 - 1, 'clientVersion'],
    ['clientVersion', 2 ** 31, 'clientVersion'],
    ['notBefore', '2026-02-30T08:00:00Z', 'notBefore'],
    ['notBefore', '2025-02-29T08:00:00Z', 'notBefore'],
    ['occurredAt', '2026-04-31T08:00:00Z', 'occurredAt'],
    ['occurredAt', '2026-04-30T24:00:00Z', 'occurredAt'],
    ['notBefore', 1764576000000, 'notBefore'],
    ['change', undefined, 'change'],
    ['change', 'approved', 'change'],
    ['change.action', 'approved', 'change.action'],
    ['change.reason', 42, 'change.reason'],
    ['change.actor', 'staff-2', 'change.actor'],
    ['change.actor', { role: 'admin' }, 'change.actor.id'],
    ['change.actor', { role: 'member', id: 'm-1' }, 'change.actor.role'],
    ['client', undefined, 'client'],
    ['client', [], 'client'],
    ['client.name', '', 'client.name'],
    ['client.clientType', 'native', 'client.clientType'],
    ['client.redirectUris', 'https://a.example/cb', 'client.redirectUris'],
    ['client.redirectUris', ['https://a.example/cb', 3], 'client.redirectUris[1]'],
    ['client.redirectUris', [''], 'client.redirectUris[0]'],
    ['client.sealedSecretHash', undefined, 'client.sealedSecretHash'],
    ['client.sealedSecretHash', 12345, 'client.sealedSecretHash'],
    // The argon2id hash in the clear: anyone reading the topic could test guesses against it.
    ['client.sealedSecretHash', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', 'client.sealedSecretHash'],
    ['client.sealedSecretHash', 'eyJhbGciOiJkaXIifQ.a.aXY.Y2lwaGVy.dGFn', 'client.sealedSecretHash'],
    ['client.allowedScopes', 'openid profile', 'client.allowedScopes'],
    ['client.system', 'true', 'client.system'],
    ['client.logoUri', 42, 'client.logoUri'],
    ['client.contactEmail', ['a@b.example'], 'client.contactEmail'],
  ])('rejects %s = %j', (path, value, issuePath) => {
    expect(issuePaths(withField(path, value))).toEqual([issuePath]);
  });

  it('rejects a public client holding a secret', () => {
    const client = { ...(payload().client as Json), clientType: 'public', system: false };

    expect(parseClientChangedEvent(withField('client', client))).toEqual({
      ok: false,
      rejection: {
        code: 'invalid_event',
        issues: [{ path: 'client.sealedSecretHash', message: 'must be null for a public client' }],
      },
    });
  });

  it('rejects a public client allowed to use client_credentials', () => {
    const client = { ...(payload().client as Json), clientType: 'public', sealedSecretHash: null };

    expect(issuePaths(withField('client', client))).toEqual(['client.system']);
  });

  it('reports every problem at once', () => {
    const broken = { ...payload(), version: 2, status: 'gone', client: { ...(payload().client as Json), name: 1 } };

    expect(issuePaths(broken)).toEqual(['version', 'status', 'client.name']);
  });
});

describe('parseClientChangedEvent: data-access type', () => {
  const withType = (dataAccessType: unknown): Json => withField('client', { ...(payload().client as Json), dataAccessType });

  it.each(['one_time', 'thirteen_month', 'research'])('carries %s', (type) => {
    const result = parseClientChangedEvent(withType(type));

    expect(result.ok && result.event.client.dataAccessType).toBe(type);
  });

  it('leaves it absent when an older producer omits it or sends null', () => {
    const omitted = parseClientChangedEvent(payload());
    const nulled = parseClientChangedEvent(withType(null));

    expect(omitted.ok && 'dataAccessType' in omitted.event.client).toBe(false);
    expect(nulled.ok && 'dataAccessType' in nulled.event.client).toBe(false);
  });

  it.each(['ONE_TIME', '13-month', '', 'research\u0000', 13, true, ['research'], { type: 'research' }])('rejects %p', (value) => {
    const result = parseClientChangedEvent(withType(value));

    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.issues.map((issue) => issue.path)).toEqual(['client.dataAccessType']);
  });
});

describe('parseClientChangedEvent: client keys', () => {
  const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = { ...publicKey.publicKey.export({ format: 'jwk' }), kid: 'payer-1' };

  it('carries a public JWKS or a JWKS URL of a confidential client', () => {
    const inline = parseClientChangedEvent(withField('client.jwks', { keys: [jwk] }));
    const remote = parseClientChangedEvent(withField('client.jwksUri', 'https://plan.example/jwks.json'));

    expect(inline.ok && inline.event.client.jwks).toEqual({ keys: [jwk] });
    expect(remote.ok && remote.event.client.jwksUri).toBe('https://plan.example/jwks.json');
  });

  it.each([
    ['a private key', 'client.jwks', { keys: [{ ...publicKey.privateKey.export({ format: 'jwk' }) }] }, /private key material/],
    ['a malformed key set', 'client.jwks', { keys: 'none' }, /1 to 10 keys/],
    ['a plain-http JWKS URL', 'client.jwksUri', 'http://plan.example/jwks', /https/],
  ])('rejects a snapshot with %s', (_label, path, value, message) => {
    const result = parseClientChangedEvent(withField(path, value));

    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.issues.map((issue) => `${issue.path} ${issue.message}`).join('\n')).toMatch(message);
  });

  it('rejects both forms at once, and keys on a public client', () => {
    const both = { ...(payload().client as Json), jwks: { keys: [jwk] }, jwksUri: 'https://plan.example/jwks.json' };
    const publicClient = { ...(payload().client as Json), clientType: 'public', secretHash: null, system: false, jwks: { keys: [jwk] } };

    expect(parseClientChangedEvent(withField('client', both)).ok).toBe(false);
    expect(parseClientChangedEvent(withField('client', publicClient)).ok).toBe(false);
  });
});

describe('decodeClientChangedEvent', () => {
  it('decodes UTF-8 bytes as a Kafka consumer receives them', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(withField('client.name', 'Café Santé ✓')));

    const result = decodeClientChangedEvent(bytes);

    expect(result.ok && result.event.client.name).toBe('Café Santé ✓');
  });

  it('decodes a string', () => {
    expect(decodeClientChangedEvent(JSON.stringify(payload())).ok).toBe(true);
  });

  it.each<[string, Uint8Array | string]>([
    ['truncated JSON', '{"type":"registration.client.changed",'],
    ['an empty message', new Uint8Array()],
    ['bytes that are not UTF-8', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('rejects %s as invalid_json', (_label, bytes) => {
    const result = decodeClientChangedEvent(bytes);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.code).toBe('invalid_json');
  });

  it('rejects well-formed JSON of the wrong shape as invalid_event', () => {
    const result = decodeClientChangedEvent('{"type":"registration.client.changed"}');

    expect(!result.ok && result.rejection.code).toBe('invalid_event');
  });
});
