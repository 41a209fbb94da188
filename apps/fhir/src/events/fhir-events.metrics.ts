import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@payer-access/http';
import type { Counter, Gauge } from 'prom-client';

/** Why a verified access token was refused by the platform's own checks. */
export type TokenRejectionReason = 'client_not_approved' | 'grant_revoked' | 'issued_before_suspension';
/** Where a revocation came from: a revoked grant, or a client leaving `approved`. */
export type RevocationSource = 'grant_revoked' | 'client_status';

/**
 * The FHIR service's series about revocations: those it learned from events and applied, and the
 * requests refused because of them. Labels are bounded; never a client, grant or member.
 */
@Injectable()
export class FhirEventsMetrics {
  private readonly rejections: Counter<'reason'>;
  private readonly applied: Counter<'source'>;

  constructor(private readonly serviceMetrics: ServiceMetrics) {
    this.rejections = serviceMetrics.counter(
      'fhir_token_rejections_total',
      'Requests refused with a valid access token whose client is not approved or whose grant was revoked, by reason.',
      ['reason'],
    );
    this.applied = serviceMetrics.counter(
      'fhir_revocations_applied_total',
      'Revocations applied from events: grants added to the denylist, clients that left approved (suspended, terminated), by source.',
      ['source'],
    );
    for (const reason of ['client_not_approved', 'grant_revoked', 'issued_before_suspension'] as const) this.rejections.inc({ reason }, 0);
    for (const source of ['grant_revoked', 'client_status'] as const) this.applied.inc({ source }, 0);
  }

  /** The age of the client status view, read at each scrape (infinite before registration's first heartbeat). */
  clientStatusViewAge(ageMs: () => number): Gauge {
    return this.serviceMetrics.gauge(
      'client_status_view_age_seconds',
      "How old this service's view of client statuses is: seconds since the watermark of registration's last heartbeat it applied (+Inf before the first).",
      [],
      async (gauge) => void gauge.set(ageMs() / 1000),
    );
  }

  tokenRejected(reason: TokenRejectionReason): void {
    this.rejections.inc({ reason });
  }

  revocationApplied(source: RevocationSource): void {
    this.applied.inc({ source });
  }
}
