import { Inject, Injectable } from '@nestjs/common';
import {
  CLIENT_CHANGED_TOPIC,
  type ClientChange,
  type ClientSnapshot,
  type ClientStatus,
  ClientType,
  RegistrationKind,
  createClientChangedEvent,
} from '@payer-access/client-status';
import { OutboxWriter, SecretSealer } from '@payer-access/events';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/tokens';
import type { Actor } from './actor';
import { RegistrationEntity } from './registration.entity';

/** The most a member can grant an application: SMART v1 and v2 patient read scopes plus OIDC. */
export const APPLICATION_SCOPES = ['openid', 'fhirUser', 'profile', 'launch/patient', 'offline_access', 'patient/*.read', 'patient/*.rs'];
/** Payers may also use client_credentials for system-level access (payer-to-payer). */
export const PAYER_SCOPES = [...APPLICATION_SCOPES, 'system/*.read', 'system/*.rs'];

/**
 * Writes `registration.client.changed.v1` to the outbox in the caller's transaction: a full
 * snapshot of the client, with `clientVersion` increased by one. Only registrations that have a
 * client_id (approved at least once) have a client to announce.
 */
@Injectable()
export class ClientEvents {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sealer: SecretSealer,
  ) {}

  async record(manager: EntityManager, registration: RegistrationEntity, previousStatus: ClientStatus, change: ClientChange & { by: Actor }): Promise<void> {
    if (!registration.clientId) return;
    const clientVersion = registration.clientVersion + 1;
    const { by, ...rest } = change;
    const event = createClientChangedEvent({
      eventId: randomUUID(),
      occurredAt: this.clock.now(),
      clientId: registration.clientId,
      registrationId: registration.id,
      kind: registration.kind,
      status: registration.status,
      previousStatus: clientVersion === 1 ? null : previousStatus,
      clientVersion,
      change: { ...rest, actor: { role: by.role, id: by.id } },
      client: snapshotOf(registration, await this.sealedSecretHash(registration)),
    });
    await manager.update(RegistrationEntity, { id: registration.id }, { clientVersion });
    registration.clientVersion = clientVersion;
    await this.outbox.add(manager, CLIENT_CHANGED_TOPIC, registration.clientId, event, { 'event-type': event.type, 'event-id': event.eventId });
  }

  /** The hash never travels in the clear: anyone reading the topic could test guessed secrets against it. */
  private async sealedSecretHash(registration: RegistrationEntity): Promise<string | null> {
    if (registration.clientType !== ClientType.Confidential || !registration.secretHash || !registration.clientId) return null;
    return this.sealer.seal(registration.clientId, registration.secretHash);
  }
}

/**
 * The snapshot of a client as the event carries it; `sealedSecretHash` is the secret hash
 * encrypted for the authorization service (`ClientEvents.sealedSecretHash`).
 */
export function snapshotOf(registration: RegistrationEntity, sealedSecretHash: string | null): ClientSnapshot {
  const payer = registration.kind === RegistrationKind.Payer;
  return {
    name: registration.name,
    clientType: registration.clientType,
    redirectUris: [...registration.redirectUris],
    sealedSecretHash: registration.clientType === ClientType.Confidential ? sealedSecretHash : null,
    allowedScopes: payer ? PAYER_SCOPES : APPLICATION_SCOPES,
    system: payer && registration.clientType === ClientType.Confidential,
    companyName: registration.companyName,
    contactEmail: registration.contactEmail,
    policyUri: registration.privacyPolicyUrl,
    ...(registration.logoUrl ? { logoUri: registration.logoUrl } : {}),
    ...(registration.termsUrl ? { tosUri: registration.termsUrl } : {}),
  };
}
