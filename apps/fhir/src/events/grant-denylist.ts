import { Injectable } from '@nestjs/common';
import { parseGrantRevokedEvent, issuesText } from '@payer-access/client-status';
import { EventRejectedError } from '@payer-access/events';
import { FhirEventsMetrics } from './fhir-events.metrics';

/**
 * Grants revoked by the authorization service (`authorization.grant.revoked.v1`): their tokens are
 * refused until `expiresAt`, after which no token of theirs is valid anyway and the entry goes.
 */
@Injectable()
export class GrantDenylist {
  private readonly denied = new Map<string, number>();

  constructor(private readonly metrics: FhirEventsMetrics) {}

  apply(value: unknown): boolean {
    const parsed = parseGrantRevokedEvent(value);
    if (!parsed.ok) throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    const until = Date.parse(parsed.event.expiresAt);
    const known = this.denied.get(parsed.event.grantId);
    this.denied.set(parsed.event.grantId, Math.max(until, known ?? 0));
    // Redeliveries of a grant already denied change nothing worth counting.
    if (known === undefined) this.metrics.revocationApplied('grant_revoked');
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
