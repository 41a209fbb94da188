import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FhirPrincipal } from '../auth/fhir-principal';

export interface AccessRecord {
  readonly interaction: 'read' | 'search' | 'userinfo';
  readonly resourceType?: string;
  readonly resourceId?: string;
  /** The search's parameters (what was asked), never the data returned. */
  readonly query?: string;
  readonly status: number;
  readonly resultCount?: number;
}

type AuditRow = [string, string, string, boolean, string | null, string, string | null, string | null, string | null, number, number | null, string];

/** Rows are written together at most this long after the request. */
const FLUSH_DELAY_MS = 25;
const MAX_BATCH = 500;

/**
 * The access audit: who (client, member, patient, whether a representative acted), what and when,
 * for every read and search. It records references and counts, never the data itself.
 *
 * Rows are queued and written in one INSERT per batch (within 25 ms, and on shutdown), so that a
 * read costs no commit of its own; the request's time is kept as `occurred_at`.
 */
@Injectable()
export class AccessAuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AccessAuditService.name);
  private queue: AuditRow[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  record(principal: FhirPrincipal, record: AccessRecord): void {
    this.queue.push([
      storable(principal.clientId),
      storable(principal.subject),
      storable(principal.patientId),
      principal.representative !== undefined,
      nullable(principal.grantId),
      record.interaction,
      nullable(record.resourceType),
      nullable(record.resourceId),
      nullable(record.query),
      record.status,
      record.resultCount ?? null,
      new Date().toISOString(),
    ]);
    if (this.queue.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes everything queued so far; resolves when it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.queue;
    this.queue = [];
    if (rows.length > 0) this.writing = this.writing.then(() => this.write(rows));
    return this.writing;
  }

  /** Before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async write(rows: AuditRow[]): Promise<void> {
    const column = (index: number) => rows.map((row) => row[index]);
    try {
      await this.dataSource.query(
        `INSERT INTO access_audit (client_id, subject, patient_id, representative, grant_id, interaction, resource_type, resource_id, query, status, result_count, occurred_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[], $12::timestamptz[])`,
        Array.from({ length: 12 }, (_, index) => column(index)),
      );
    } catch (error) {
      // Losing audit rows must be visible to operators, but must not fail the reads they describe.
      this.logger.error(`access audit write of ${rows.length} rows failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Text as PostgreSQL can store it: one NUL byte or unpaired surrogate in a client's value would
 * otherwise fail the whole batch, and with it the rows of every other request written together.
 * The escape keeps what was asked visible to an auditor.
 */
export function storable(text: string): string {
  return text.replace(UNSTORABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function nullable(text: string | undefined): string | null {
  return text === undefined ? null : storable(text);
}

// eslint-disable-next-line no-control-regex -- NUL is exactly what PostgreSQL text cannot hold.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
