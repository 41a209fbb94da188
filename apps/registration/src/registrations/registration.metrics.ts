import { Injectable } from '@nestjs/common';
import { applyTransition, CLIENT_ACTIONS, CLIENT_STATUSES, ClientStatus } from '@payer-access/client-status';
import { ServiceMetrics } from '@payer-access/http';
import type { Counter } from 'prom-client';

/** The registration service's own series: client status changes, by the state machine's edges. */
@Injectable()
export class RegistrationMetrics {
  private readonly statusChanges: Counter<'from' | 'to'>;

  constructor(metrics: ServiceMetrics) {
    this.statusChanges = metrics.counter(
      'registration_status_changes_total',
      'Registration status changes committed: submissions (from="none") and review actions, by previous and new status.',
      ['from', 'to'],
    );
    // Every edge of the state machine starts at 0, so that rates and alerts see it before its first use.
    this.statusChanges.inc({ from: 'none', to: ClientStatus.Pending }, 0);
    for (const from of CLIENT_STATUSES) {
      for (const action of CLIENT_ACTIONS) {
        const transition = applyTransition(from, action);
        if (transition.ok) this.statusChanges.inc({ from, to: transition.to }, 0);
      }
    }
  }

  statusChanged(from: ClientStatus | null, to: ClientStatus): void {
    if (from === to) return;
    this.statusChanges.inc({ from: from ?? 'none', to });
  }
}
