import { ClientAction } from './client-action';
import {
  createClientChangedEvent,
  InvalidClientChangedEventError,
  type ClientChangedEventInput,
} from './client-changed.builder';
import { CLIENT_CHANGED_TOPIC, type ClientChangedEventV1 } from './client-changed.event';
import { decodeClientChangedEvent } from './client-changed.parser';
import { ClientStatus } from './client-status';

const SEALED = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXZpdml2aXZpdg.Y2lwaGVydGV4dA.dGFndGFndGFndGFn';

function suspension(overrides: Partial<ClientChangedEventInput> = {}): ClientChangedEventInput {
  return {
    eventId: '0b0c5f4e-8f5a-4c1e-9d3b-2f6a7c8d9e01',
    occurredAt: new Date('2025-03-04T15:16:17.189Z'),
    clientId: 'JVjR77J3j4BaRVqoDtLx',
    registrationId: 'reg-42',
    kind: 'application',
    status: ClientStatus.Suspended,
    previousStatus: ClientStatus.Approved,
    clientVersion: 7,
    change: { action: ClientAction.Suspend, reason: 'Token abuse', actor: { role: 'admin', id: 'staff-1' } },
    client: {
      name: 'Blue Button Viewer',
      clientType: 'confidential',
      redirectUris: ['https://oidcdebugger.com/debug'],
      sealedSecretHash: SEALED,
      allowedScopes: ['openid', 'profile', 'patient/*.read'],
      system: false,
      policyUri: 'https://viewer.example/privacy',
    },
    ...overrides,
  };
}

describe('createClientChangedEvent', () => {
  it('builds the versioned event with an ISO timestamp', () => {
    const event = createClientChangedEvent(suspension());

    expect(event).toStrictEqual<ClientChangedEventV1>({
      type: 'registration.client.changed',
      version: 1,
      eventId: '0b0c5f4e-8f5a-4c1e-9d3b-2f6a7c8d9e01',
      occurredAt: '2025-03-04T15:16:17.189Z',
      clientId: 'JVjR77J3j4BaRVqoDtLx',
      registrationId: 'reg-42',
      kind: 'application',
      status: 'suspended',
      previousStatus: 'approved',
      clientVersion: 7,
      change: { action: 'suspend', reason: 'Token abuse', actor: { role: 'admin', id: 'staff-1' } },
      client: {
        name: 'Blue Button Viewer',
        clientType: 'confidential',
        redirectUris: ['https://oidcdebugger.com/debug'],
        sealedSecretHash: SEALED,
        allowedScopes: ['openid', 'profile', 'patient/*.read'],
        system: false,
        policyUri: 'https://viewer.example/privacy',
      },
    });
  });

  it('publishes on the v1 compacted topic', () => {
    expect(CLIENT_CHANGED_TOPIC).toBe('registration.client.changed.v1');
  });

  it('survives the trip through Kafka unchanged', () => {
    const event = createClientChangedEvent(suspension());

    expect(decodeClientChangedEvent(Buffer.from(JSON.stringify(event)))).toStrictEqual({ ok: true, event });
  });

  it('carries the data-access type of the registration', () => {
    const base = suspension();
    const event = createClientChangedEvent({ ...base, client: { ...base.client, dataAccessType: 'one_time' } });

    expect(event.client.dataAccessType).toBe('one_time');
    expect(decodeClientChangedEvent(JSON.stringify(event))).toStrictEqual({ ok: true, event });
  });

  it('defaults to an empty change description', () => {
    expect(createClientChangedEvent(suspension({ change: undefined })).change).toStrictEqual({});
  });

  it('is not affected by later edits to its input', () => {
    const input = suspension();
    const event = createClientChangedEvent(input);

    (input.client.redirectUris as string[]).push('https://evil.example/cb');
    (input.client.allowedScopes as string[]).length = 0;

    expect(event.client.redirectUris).toEqual(['https://oidcdebugger.com/debug']);
    expect(event.client.allowedScopes).toEqual(['openid', 'profile', 'patient/*.read']);
  });

  it.each<[string, Partial<ClientChangedEventInput>]>([
    ['a newly created client', { status: 'pending', previousStatus: null, clientVersion: 1, change: {} }],
    ['a change that keeps the status (secret rotation)', { status: 'approved', previousStatus: 'approved', change: {} }],
    ['a reinstatement', { status: 'approved', previousStatus: 'suspended', change: { action: 'reinstate' } }],
    ['a rejection', { status: 'terminated', previousStatus: 'pending', change: { action: 'reject' } }],
    ['a status change with no action recorded', { status: 'terminated', previousStatus: 'approved', change: {} }],
  ])('accepts %s', (_label, overrides) => {
    expect(createClientChangedEvent(suspension(overrides)).status).toBe(overrides.status);
  });

  it.each<[string, Partial<ClientChangedEventInput>, string]>([
    ['a terminated client coming back', { previousStatus: 'terminated', status: 'approved', change: {} }, 'status'],
    ['a pending client suspended', { previousStatus: 'pending', status: 'suspended', change: {} }, 'status'],
    ['an action that does not match', { previousStatus: 'suspended', change: { action: 'approve' } }, 'change.action'],
    ['an action on an unchanged status', { previousStatus: 'suspended', change: { action: 'suspend' } }, 'change.action'],
    ['an invalid date', { occurredAt: new Date('not a date') }, 'occurredAt'],
    ['a non-UUID event id', { eventId: 'event-1' }, 'eventId'],
    ['a version of 0', { clientVersion: 0 }, 'clientVersion'],
    ['a fractional version', { clientVersion: 2.5 }, 'clientVersion'],
    ['an empty client id', { clientId: '' }, 'clientId'],
  ])('refuses %s', (_label, overrides, path) => {
    const build = (): unknown => createClientChangedEvent(suspension(overrides));

    expect(build).toThrow(InvalidClientChangedEventError);
    expect(build).toThrow(new RegExp(`^Invalid registration\\.client\\.changed event: ${path} `));
  });

  it('refuses a public client with a secret, listing every issue', () => {
    const base = suspension();
    let thrown: unknown;
    try {
      createClientChangedEvent({ ...base, clientId: '', client: { ...base.client, clientType: 'public', system: true } });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(InvalidClientChangedEventError);
    expect((thrown as InvalidClientChangedEventError).issues.map((issue) => issue.path)).toEqual([
      'clientId',
      'client.sealedSecretHash',
      'client.system',
    ]);
  });
});
