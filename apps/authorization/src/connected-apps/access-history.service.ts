import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthorizationConfig } from '../authorization.config';
import { ClientProjectionService } from '../clients/client-projection.service';
import { AUTHORIZATION_CONFIG } from '../common/tokens';

/** One app's reads of a member's data, from the FHIR service's access audit. */
export interface AccessSummary {
  clientId: string;
  clientName: string;
  requests: number;
  lastAt: Date;
}

/** The most recent audit entries considered for the page. */
const RECENT = 200;
const TIMEOUT_MS = 3000;

interface AuditEventLike {
  recorded?: string;
  outcome?: string;
  subtype?: { code?: string }[];
  agent?: { requestor?: boolean; who?: { identifier?: { value?: string } } }[];
}

/**
 * Who read the member's data. The FHIR service owns the access audit, and this service never reads
 * another's tables: it asks the FHIR AuditEvent search (`[base]/AuditEvent?patient=`) with the
 * audit reader credential (FHIR_AUDIT_READER_TOKEN) and summarises the answered reads per app.
 * Without the credential the page has no such section; when the FHIR service cannot answer, the
 * page says so rather than failing.
 */
@Injectable()
export class AccessHistoryService {
  private readonly logger = new Logger(AccessHistoryService.name);
  private readonly searchUrl: string;

  constructor(
    @Inject(AUTHORIZATION_CONFIG) private readonly config: AuthorizationConfig,
    private readonly clients: ClientProjectionService,
  ) {
    const base = (config.FHIR_INTERNAL_URL ?? config.FHIR_PUBLIC_URL).replace(/\/+$/, '');
    this.searchUrl = `${base}${config.FHIR_BASE_PATH}/AuditEvent`;
  }

  get enabled(): boolean {
    return this.config.FHIR_AUDIT_READER_TOKEN !== undefined;
  }

  /** The apps that read the patient's data, most recent first; undefined when the audit cannot be asked. */
  async forPatient(patientId: string): Promise<AccessSummary[] | undefined> {
    if (!this.config.FHIR_AUDIT_READER_TOKEN) return undefined;
    try {
      const query = new URLSearchParams({ patient: patientId, _count: String(RECENT) });
      const response = await fetch(`${this.searchUrl}?${query.toString()}`, {
        headers: { authorization: `Bearer ${this.config.FHIR_AUDIT_READER_TOKEN}`, accept: 'application/fhir+json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`the AuditEvent search answered ${response.status}`);
      const bundle = (await response.json()) as { entry?: { resource?: AuditEventLike }[] };
      return this.summarise((bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : [])));
    } catch (error) {
      this.logger.warn(`access history unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private summarise(events: AuditEventLike[]): AccessSummary[] {
    const byClient = new Map<string, AccessSummary>();
    for (const event of events) {
      // Answered reads and searches by an app; refusals and staff searches of the audit are not reads of the member's data.
      if (event.outcome !== '0' || !event.recorded) continue;
      if (!event.subtype?.some((subtype) => subtype.code === 'read' || subtype.code === 'search-type' || subtype.code === 'operation')) continue;
      const clientId = event.agent?.find((agent) => agent.requestor)?.who?.identifier?.value;
      if (!clientId || !this.clients.find(clientId)) continue;
      const at = new Date(event.recorded);
      const summary = byClient.get(clientId);
      if (summary) {
        summary.requests += 1;
        if (at > summary.lastAt) summary.lastAt = at;
      } else {
        byClient.set(clientId, { clientId, clientName: this.clients.find(clientId)?.client?.name ?? clientId, requests: 1, lastAt: at });
      }
    }
    return [...byClient.values()].sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime());
  }
}
