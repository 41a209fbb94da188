import { createClientChangedEvent, type ClientChangedEventV1, type ClientStatus, type RegistrationKind } from '@payer-access/client-status';
import { randomUUID } from 'node:crypto';

export interface TestClientEventOptions {
  kind?: RegistrationKind;
  /** The status this event follows (null: the client's first event). */
  previousStatus?: ClientStatus | null;
  clientVersion?: number;
  notBefore?: Date;
  name?: string;
}

/**
 * The client event registration would publish for a FHIR test client, built (and checked) by the
 * domain's own builder: an application, or a payer's backend client with `system/*.rs`.
 */
export function testClientEvent(clientId: string, status: ClientStatus, options: TestClientEventOptions = {}): ClientChangedEventV1 {
  const kind = options.kind ?? 'application';
  return createClientChangedEvent({
    eventId: randomUUID(),
    occurredAt: new Date(),
    clientId,
    registrationId: `registration-${clientId}`,
    kind,
    status,
    previousStatus: options.previousStatus ?? null,
    clientVersion: options.clientVersion ?? 1,
    ...(options.notBefore ? { notBefore: options.notBefore.toISOString() } : {}),
    client: {
      name: options.name ?? 'Test app',
      clientType: 'confidential',
      redirectUris: ['https://oidcdebugger.com/debug'],
      sealedSecretHash: null,
      allowedScopes: kind === 'payer' ? ['system/*.rs'] : ['patient/*.read'],
      system: kind === 'payer',
    },
  });
}

/** Client events numbered as registration numbers them: each client's next version, following its last status. */
export class TestClientEvents {
  private readonly versions = new Map<string, { version: number; status: ClientStatus }>();

  next(clientId: string, status: ClientStatus, options: Omit<TestClientEventOptions, 'previousStatus' | 'clientVersion'> = {}): ClientChangedEventV1 {
    const previous = this.versions.get(clientId);
    const clientVersion = (previous?.version ?? 0) + 1;
    this.versions.set(clientId, { version: clientVersion, status });
    return testClientEvent(clientId, status, { ...options, previousStatus: previous?.status ?? null, clientVersion });
  }

  /** The last version and status published for the client. */
  last(clientId: string): { version: number; status: ClientStatus } | undefined {
    return this.versions.get(clientId);
  }
}
