import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type FhirOutcome, operationOutcome } from '@payer-access/fhir-models';
import type { FhirPrincipal } from '../auth/fhir-principal';
import { FhirException } from '../common/fhir.exception';
import { pgPoolOf } from '../store/prepared-statements';
import type { AccessAuditRow, AuditEventCriteria } from './audit-event.search';

export interface AccessRecord {
  readonly interaction: 'read' | 'search' | 'userinfo' | 'audit-search' | 'member-match' | 'everything' | 'bulk-member-match' | 'bulk-export';
  readonly resourceType?: string;
  readonly resourceId?: string;
  /** The search's parameters (what was asked), never the data returned. */
  readonly query?: string;
  readonly status: number;
  readonly resultCount?: number;
  /** Why a request was refused, when it was. */
  readonly reason?: string;
}

/**
 * A request without an established member caller: one the token guard refused (no token, or a
 * refused one), or a staff search of the audit itself.
 */
export interface RefusalRecord {
  /** The client the token claims, unverified when the token was refused. */
  readonly clientId?: string;
  readonly subject?: string;
  readonly patientId?: string;
  readonly interaction: AccessRecord['interaction'];
  readonly resourceType?: string;
  readonly query?: string;
  readonly status: number;
  readonly resultCount?: number;
  readonly reason?: string;
}

type Text = string | null;
type AuditRow = [Text, Text, Text, boolean, Text, string, Text, Text, Text, number, number | null, string, Text];

interface Pending {
  readonly row: AuditRow;
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows that arrive within this long of each other share one commit. */
const GROUP_COMMIT_MS = 2;
const MAX_BATCH = 500;
/** Longer values are cut: a query string is evidence of what was asked, not a place for megabytes. */
const MAX_TEXT = 2048;

/**
 * The access audit (HIPAA §164.312(b)): who (client, member, patient, whether a representative
 * acted), what and when, for every read, search and refusal. It records references, counts and
 * reasons, never the data itself.
 *
 * Durable before the answer: `record` resolves only once the row is committed, and callers await
 * it before they respond, so no data leaves the service without its row already in PostgreSQL; a
 * crash loses only requests that were never answered. Rows arriving within a couple of
 * milliseconds are written by one INSERT (group commit), so that a busy server pays one commit per
 * batch rather than per read. Values are made storable first (NUL and unpaired surrogates replaced,
 * lengths capped); should a batch still fail, its rows are written one by one, so that one bad row
 * never costs the others theirs. A row that cannot be stored rejects its own `record`.
 */
@Injectable()
export class AccessAuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AccessAuditService.name);
  private queue: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private readonly writing = new Set<Promise<void>>();

  constructor(private readonly dataSource: DataSource) {}

  record(principal: FhirPrincipal, record: AccessRecord): Promise<void> {
    return this.enqueue([
      principal.clientId,
      principal.subject,
      principal.patientId ?? null,
      principal.representative !== undefined,
      principal.grantId ?? null,
      record.interaction,
      record.resourceType ?? null,
      record.resourceId ?? null,
      record.query ?? null,
      record.status,
      record.resultCount ?? null,
      new Date().toISOString(),
      record.reason ?? null,
    ]);
  }

  /**
   * Data leaves only with its audit row stored: records the access, or throws the 503 that
   * answers the request instead (the data is not released without its row).
   */
  async recordOrRefuse(principal: FhirPrincipal, record: AccessRecord): Promise<void> {
    try {
      await this.record(principal, record);
    } catch {
      throw new FhirException(auditUnavailable());
    }
  }

  recordRefusal(refusal: RefusalRecord): Promise<void> {
    return this.enqueue([
      refusal.clientId ?? null,
      refusal.subject ?? null,
      refusal.patientId ?? null,
      false,
      null,
      refusal.interaction,
      refusal.resourceType ?? null,
      null,
      refusal.query ?? null,
      refusal.status,
      refusal.resultCount ?? null,
      new Date().toISOString(),
      refusal.reason ?? null,
    ]);
  }

  /** The rows matching a staff search, newest first, and how many match in all. */
  async search(criteria: AuditEventCriteria): Promise<{ rows: AccessAuditRow[]; total: number }> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (criteria.patient !== undefined) conditions.push(`patient_id = ${param(criteria.patient)}`);
    if (criteria.agent !== undefined) conditions.push(`client_id = ${param(criteria.agent)}`);
    for (const date of criteria.dates) conditions.push(`occurred_at ${date.op} ${param(date.at.toISOString())}::timestamptz`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const [{ total }]: { total: number }[] = await this.dataSource.query(`SELECT count(*)::int AS total FROM access_audit ${where}`, params);
    const rows: AccessAuditRow[] = await this.dataSource.query(
      `SELECT id::text, occurred_at, client_id, subject, patient_id, representative, grant_id, interaction, resource_type, resource_id, query, status, result_count, reason
         FROM access_audit ${where} ORDER BY occurred_at DESC, id DESC LIMIT ${param(criteria.count)} OFFSET ${param(criteria.offset)}`,
      params,
    );
    return { rows, total };
  }

  /** Writes everything queued so far; resolves when all of it is settled. */
  async flush(): Promise<void> {
    this.startBatch();
    await Promise.allSettled([...this.writing]);
  }

  /** Before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private enqueue(row: AuditRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row: storable(row), resolve, reject });
      if (this.queue.length >= MAX_BATCH) this.startBatch();
      else this.timer ??= setTimeout(() => this.startBatch(), GROUP_COMMIT_MS);
    });
  }

  private startBatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const writing = this.write(batch).finally(() => this.writing.delete(writing));
    this.writing.add(writing);
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.insert(batch.map((pending) => pending.row));
      for (const pending of batch) pending.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) return this.fail(batch[0], error);
    }
    for (const pending of batch) {
      try {
        await this.insert([pending.row]);
        pending.resolve();
      } catch (error) {
        this.fail(pending, error);
      }
    }
  }

  private fail(pending: Pending, error: unknown): void {
    // Operators must see a lost row; its content stays out of the log (it names a member).
    this.logger.error(`an access audit row could not be stored: ${error instanceof Error ? error.message : String(error)}`);
    pending.reject(error);
  }

  private async insert(rows: AuditRow[]): Promise<void> {
    const column = (index: number) => rows.map((row) => row[index]);
    // A named statement, planned once per connection: planning this unnest took PostgreSQL longer than storing ten rows.
    await pgPoolOf(this.dataSource).query({ name: 'fhir_access_audit_insert', text: INSERT_ROWS, values: Array.from({ length: 13 }, (_, index) => column(index)) });
  }
}

const INSERT_ROWS = `INSERT INTO access_audit (client_id, subject, patient_id, representative, grant_id, interaction, resource_type, resource_id, query, status, result_count, occurred_at, reason)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[], $12::timestamptz[], $13::text[])`;

/** 503 for a request whose access could not be recorded: the data is not released without it. */
function auditUnavailable(): FhirOutcome {
  return { status: 503, outcome: operationOutcome('error', 'transient', 'The access could not be recorded; try again later') };
}

/** PostgreSQL text holds no NUL and UTF-8 has no unpaired surrogates: both become U+FFFD. */
export function storableText(value: string | null): string | null {
  if (value === null) return null;
  const capped = value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
  return capped.replace(/\0/g, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storable(row: AuditRow): AuditRow {
  return row.map((value) => (typeof value === 'string' ? storableText(value) : value)) as AuditRow;
}
