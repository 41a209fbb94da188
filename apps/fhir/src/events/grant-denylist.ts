import { Injectable } from '@nestjs/common';
import { parseGrantRevokedEvent, issuesText } from '@payer-access/client-status';
import { EventRejectedError } from '@payer-access/events';
import { FhirEventsMetrics } from './fhir-events.metrics';

/** How often entries past their `expiresAt` are swept out, whether or not a token of theirs comes back. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Grants revoked by the authorization service (`authorization.grant.revoked.v1`): their tokens are
 * refused until `expiresAt`, after which no token of theirs is valid anyway and the entry goes —
 * when a token of the grant is presented, or at the next sweep, so that the list holds no more
 * than the grants revoked within the longest token lifetime.
 */
@Injectable()
export class GrantDenylist {
  private readonly denied = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly metrics: FhirEventsMetrics) {}

  /** Grants whose tokens are refused now (expired ones not swept yet included). */
  get size(): number {
    return this.denied.size;
  }

  apply(value: unknown, now: number = Date.now()): boolean {
    if (now >= this.nextSweep) this.sweep(now);
    const parsed = parseGrantRevokedEvent(value);
    if (!parsed.ok) throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    const until = Date.parse(parsed.event.expiresAt);
    const known = this.denied.get(parsed.event.grantId);
    this.denied.set(parsed.event.grantId, Math.max(until, known ?? 0));
    // Redeliveries of a grant already denied change nothing worth counting.
    if (known === undefined) this.metrics.revocationApplied('grant_revoked');
    return true;
  }

  private sweep(now: number): void {
    for (const [grantId, until] of this.denied) if (until <= now) this.denied.delete(grantId);
    this.nextSweep = now + SWEEP_INTERVAL_MS;
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
