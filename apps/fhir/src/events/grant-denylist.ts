import { Injectable } from '@nestjs/common';
import { parseGrantRevokedEvent } from '@payer-access/client-status';

/**
 * Grants revoked by the authorization service (`authorization.grant.revoked.v1`): their tokens are
 * refused until `expiresAt`, after which no token of theirs is valid anyway and the entry goes.
 */
@Injectable()
export class GrantDenylist {
  private readonly denied = new Map<string, number>();

  apply(value: unknown): boolean {
    const parsed = parseGrantRevokedEvent(value);
    if (!parsed.ok) return false;
    const until = Date.parse(parsed.event.expiresAt);
    this.denied.set(parsed.event.grantId, Math.max(until, this.denied.get(parsed.event.grantId) ?? 0));
    return true;
  }

  isDenied(grantId: string | undefined, now: number = Date.now()): boolean {
    if (grantId === undefined) return false;
    const until = this.denied.get(grantId);
    if (until === undefined) return false;
    if (until <= now) {
      this.denied.delete(grantId);
      return false;
    }
    return true;
  }
}
