import { Injectable, Logger } from '@nestjs/common';
import { isActive, parseClientChangedEvent, revokesAccess, supersedes, type ClientStatus, type RegistrationKind } from '@payer-access/client-status';
import { FhirEventsMetrics } from './fhir-events.metrics';

/**
 * The status of every registered client, rebuilt from the compacted `registration.client.changed.v1`
 * topic. Only `approved` clients' tokens are honoured; "highest clientVersion wins" makes replays
 * and redeliveries harmless. https://kafka.apache.org/documentation/#compaction
 */
@Injectable()
export class ClientStatusCache {
  private readonly logger = new Logger(ClientStatusCache.name);
  private readonly clients = new Map<string, { status: ClientStatus; version: number; kind: RegistrationKind }>();

  constructor(private readonly metrics: FhirEventsMetrics) {}

  /** Applies one event value; returns false when it was malformed or older than what is known. */
  apply(value: unknown): boolean {
    const parsed = parseClientChangedEvent(value);
    if (!parsed.ok) {
      this.logger.warn('ignored a malformed client-changed event');
      return false;
    }
    const event = parsed.event;
    const known = this.clients.get(event.clientId);
    if (!supersedes(event, known?.version)) return false;
    this.clients.set(event.clientId, { status: event.status, version: event.clientVersion, kind: event.kind });
    if (revokesAccess(event.status) && !(known && revokesAccess(known.status))) this.metrics.revocationApplied('client_status');
    return true;
  }

  isApproved(clientId: string): boolean {
    const client = this.clients.get(clientId);
    return client !== undefined && isActive(client.status);
  }

  /** Whether the client is an application or a payer: a payer's backend token names no patient. */
  kindOf(clientId: string): RegistrationKind | undefined {
    return this.clients.get(clientId)?.kind;
  }

  statusOf(clientId: string): ClientStatus | undefined {
    return this.clients.get(clientId)?.status;
  }
}
