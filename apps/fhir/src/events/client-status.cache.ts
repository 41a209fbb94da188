import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  checkSuccession,
  ClientStatusFreshness,
  parseClientStatusHeartbeat,
  isActive,
  issuedBeforeNotBefore,
  laterNotBefore,
  parseClientChangedEvent,
  revokesAccess,
  type ClientNotBefore,
  type ClientStatus,
  type RegistrationKind, issuesText } from '@payer-access/client-status';
import { EventRejectedError } from '@payer-access/events';
import type { FhirConfig } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';
import { FhirEventsMetrics } from './fhir-events.metrics';

/**
 * The status of every registered client, rebuilt from the compacted `registration.client.changed.v1`
 * topic. Only `approved` clients' tokens are honoured; "highest clientVersion wins" makes replays
 * and redeliveries harmless. https://kafka.apache.org/documentation/#compaction
 */
@Injectable()
export class ClientStatusCache {
  private readonly logger = new Logger(ClientStatusCache.name);
  private readonly clients = new Map<string, { status: ClientStatus; version: number; kind: RegistrationKind; notBefore: ClientNotBefore }>();

  private readonly revocationListeners: ((clientId: string, at: Date) => void)[] = [];

  /** How current this view is: as of registration's last heartbeat applied after everything before it. */
  readonly freshness: ClientStatusFreshness;

  constructor(
    private readonly metrics: FhirEventsMetrics,
    @Inject(FHIR_CONFIG) config: Pick<FhirConfig, 'CLIENT_STATUS_MAX_STALENESS_SECONDS'>,
  ) {
    this.freshness = new ClientStatusFreshness(config.CLIENT_STATUS_MAX_STALENESS_SECONDS * 1000);
    metrics.clientStatusViewAge(() => this.freshness.ageMs());
  }

  /**
   * Applies registration's (signature-checked) heartbeat: read in partition order, it comes after
   * every change committed before its watermark, all applied by now. A malformed one is refused.
   */
  applyHeartbeat(value: unknown): boolean {
    const parsed = parseClientStatusHeartbeat(value);
    if (!parsed.ok) throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    return this.freshness.record(parsed.heartbeat);
  }

  /**
   * Calls `listener` whenever a client is suspended or terminated (the event's instant as `at`), so
   * that work the client started, such as its bulk jobs, stops with its tokens.
   */
  onAccessRevoked(listener: (clientId: string, at: Date) => void): void {
    this.revocationListeners.push(listener);
  }

  /**
   * Applies one (signature-checked) event value; returns false when it is older than what is known.
   * A malformed event, or one the transition rules forbid (checkSuccession), throws
   * `EventRejectedError`: it is dead-lettered and never applied.
   */
  apply(value: unknown): boolean {
    const parsed = parseClientChangedEvent(value);
    if (!parsed.ok) {
      throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    }
    const event = parsed.event;
    const known = this.clients.get(event.clientId);
    const succession = checkSuccession(known && { status: known.status, clientVersion: known.version }, event);
    if (!succession.ok) {
      if (succession.code === 'stale') return false;
      this.logger.warn(`refused an event of client ${event.clientId}: ${succession.message}`);
      throw new EventRejectedError('transition_not_allowed', `client ${event.clientId}: ${succession.message}`);
    }
    const notBefore = laterNotBefore(known?.notBefore, event.notBefore === undefined ? undefined : Date.parse(event.notBefore));
    this.clients.set(event.clientId, { status: event.status, version: event.clientVersion, kind: event.kind, notBefore });
    if (revokesAccess(event.status) && !(known && revokesAccess(known.status))) this.metrics.revocationApplied('client_status');
    if (revokesAccess(event.status)) for (const listener of this.revocationListeners) listener(event.clientId, new Date(event.occurredAt));
    return true;
  }

  isApproved(clientId: string): boolean {
    const client = this.clients.get(clientId);
    return client !== undefined && isActive(client.status);
  }

  /**
   * Whether a token issued at `issuedAtSeconds` (its `iat`) predates the client's not-before (its
   * last suspension or termination), and so must not be honoured even after a reinstatement: the
   * same rule, on the same shaped value, as the authorization server's.
   */
  issuedBeforeNotBefore(clientId: string, issuedAtSeconds: unknown): boolean {
    return issuedBeforeNotBefore(this.clients.get(clientId)?.notBefore, issuedAtSeconds);
  }

  /** Whether the client is an application or a payer: a payer's backend token names no patient. */
  kindOf(clientId: string): RegistrationKind | undefined {
    return this.clients.get(clientId)?.kind;
  }

  statusOf(clientId: string): ClientStatus | undefined {
    return this.clients.get(clientId)?.status;
  }
}
