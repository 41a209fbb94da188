import { ActorRole } from '@payer-access/client-status';
import { Role } from '../accounts/account.entity';
import type { PortalPrincipal } from '../auth/portal-principal';

/** Who made a change, for the history and the event's `change.actor`. */
export interface Actor {
  role: ActorRole;
  /** Account id; the service name when the platform acts. */
  id: string;
  email: string | null;
  accountId: string | null;
}

export const SYSTEM_ACTOR: Actor = { role: ActorRole.System, id: 'registration-service', email: null, accountId: null };

export function actorOf(principal: PortalPrincipal): Actor {
  return {
    role: principal.role === Role.Admin ? ActorRole.Admin : ActorRole.Owner,
    id: principal.accountId,
    email: principal.email,
    accountId: principal.accountId,
  };
}
