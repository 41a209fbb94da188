import { supersedes, type ClientChangedEventV1 } from './client-changed.event';

describe('supersedes', () => {
  const fifthChange: ClientChangedEventV1 = {
    type: 'registration.client.changed',
    version: 1,
    eventId: '5e3a9c1b-7d4f-4a2e-b8c6-0123456789ab',
    occurredAt: '2025-03-04T15:16:17Z',
    clientId: 'client-1',
    registrationId: 'reg-1',
    kind: 'application',
    status: 'suspended',
    previousStatus: 'approved',
    clientVersion: 5,
    change: {},
    client: {
      name: 'App',
      clientType: 'public',
      redirectUris: ['com.example.app:/callback'],
      sealedSecretHash: null,
      allowedScopes: [],
      system: false,
    },
  };

  it.each<[string, number | undefined, boolean]>([
    ['a client seen for the first time', undefined, true],
    ['an older version', 4, true],
    ['the same version (a redelivery)', 5, false],
    ['a newer version (a replay of old events)', 6, false],
  ])('applies over %s: %s → %s', (_label, known, expected) => {
    expect(supersedes(fifthChange, known)).toBe(expected);
  });
});
