import { Inject, Injectable } from '@nestjs/common';
import {
  CLIENT_CHANGED_TOPIC,
  type ClientChange,
  type ClientSnapshot,
  type ClientStatus,
  ClientType,
  RegistrationKind,
  createClientChangedEvent,
  revokesAccess,
} from '@payer-access/client-status';
import { OutboxWriter, SecretSealer } from '@payer-access/events';
import { CLIENT_KIND_SCOPES } from '@payer-access/scopes';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/tokens';
import type { Actor } from './actor';
import { RegistrationEntity } from './registration.entity';

/** What each kind of client may ask for comes from the one scope policy. */
export const APPLICATION_SCOPES: readonly string[] = CLIENT_KIND_SCOPES.application;
export const PAYER_SCOPES: readonly string[] = CLIENT_KIND_SCOPES.payer;

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
    const occurredAt = this.clock.now();
    // The history row of this very change is already written, so a suspension names its own instant.
    const notBefore = (await lastRevocation(manager, registration.id)) ?? (revokesAccess(registration.status) ? occurredAt : null);
    const event = createClientChangedEvent({
      eventId: randomUUID(),
      occurredAt,
      clientId: registration.clientId,
      registrationId: registration.id,
      kind: registration.kind,
      status: registration.status,
      previousStatus: clientVersion === 1 ? null : previousStatus,
      clientVersion,
      ...(notBefore ? { notBefore: notBefore.toISOString() } : {}),
      change: { ...rest, actor: { role: by.role, id: by.id } },
      client: snapshotOf(registration, await this.sealedSecretHash(registration)),
    });
    await manager.update(RegistrationEntity, { id: registration.id }, { clientVersion, clientEventsSigned: true });
    registration.clientVersion = clientVersion;
    registration.clientEventsSigned = true;
    await this.outbox.add(manager, CLIENT_CHANGED_TOPIC, registration.clientId, event, { 'event-type': event.type, 'event-id': event.eventId });
  }

  /** The hash never travels in the clear: anyone reading the topic could test guessed secrets against it. */
  private async sealedSecretHash(registration: RegistrationEntity): Promise<string | null> {
    if (registration.clientType !== ClientType.Confidential || !registration.secretHash || !registration.clientId) return null;
    return this.sealer.seal(registration.clientId, registration.secretHash);
  }
}

/** When the registration was last suspended or terminated, from its history; null if never. */
async function lastRevocation(manager: EntityManager, registrationId: string): Promise<Date | null> {
  const rows: Array<{ at: Date | null }> = await manager.query(
    `SELECT max(at) AS at FROM registration_history WHERE registration_id = $1 AND to_status IN ('suspended', 'terminated') AND from_status IS DISTINCT FROM to_status`,
    [registrationId],
  );
  return rows[0]?.at ?? null;
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
    allowedScopes: [...(payer ? PAYER_SCOPES : APPLICATION_SCOPES)],
    system: payer && registration.clientType === ClientType.Confidential,
    companyName: registration.companyName,
    contactEmail: registration.contactEmail,
    policyUri: registration.privacyPolicyUrl,
    ...(registration.logoUrl ? { logoUri: registration.logoUrl } : {}),
    ...(registration.termsUrl ? { tosUri: registration.termsUrl } : {}),
    // Keys let a payer authenticate without a shared secret (private_key_jwt); only what staff approved travels.
    ...(payer && registration.jwks ? { jwks: registration.jwks } : {}),
    ...(payer && registration.jwksUri ? { jwksUri: registration.jwksUri } : {}),
    // How long members' grants last; payers act without member grants.
    ...(payer ? {} : { dataAccessType: registration.dataAccessType }),
  };
}
