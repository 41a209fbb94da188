import type { ClientStatus } from '@payer-access/client-status';
import type { EntityManager } from 'typeorm';
import type { Actor } from './actor';
import { type HistoryAction, RegistrationHistoryEntity } from './registration-event.entity';

export async function addHistory(
  manager: EntityManager,
  entry: { registrationId: string; action: HistoryAction; from: ClientStatus | null; to: ClientStatus; reason?: string | null; actor: Actor },
): Promise<void> {
  await manager.insert(RegistrationHistoryEntity, {
    registrationId: entry.registrationId,
    action: entry.action,
    fromStatus: entry.from,
    toStatus: entry.to,
    reason: entry.reason ?? null,
    actorId: entry.actor.accountId,
    actorEmail: entry.actor.email,
    actorRole: entry.actor.role,
  });
}
