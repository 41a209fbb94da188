import { Inject, Injectable } from '@nestjs/common';
import type { Group, OperationOutcome, Parameters } from '@medplum/fhirtypes';
import { badRequest, forbidden, notFound, operationOutcome, type SearchParameterRegistry } from '@payer-access/fhir-models';
import { canAccess, readableResourceTypes, ScopeContext } from '@payer-access/scopes';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AccessAuditService } from '../../audit/access-audit.service';
import type { FhirPrincipal, PayerPrincipal } from '../../auth/fhir-principal';
import { FhirException } from '../../common/fhir.exception';
import { fhirBaseUrl, type FhirConfig } from '../../fhir.config';
import { FHIR_CONFIG, SEARCH_REGISTRY } from '../../fhir.tokens';
import { SHARED_RESOURCE_TYPES } from '../../store/compartment';
import { parseExportRequest } from './bulk-export.request';
import { BULK_FILE_STORE, type BulkFileStore } from './bulk-file.store';
import { MEMBER_GROUP_NAMES, type MemberGroupKind } from './bulk-groups';
import { BulkJobRepository, type BulkJob } from './bulk-job.repository';
import { BulkJobWorker, type ExportJobInput, type MemberMatchJobInput } from './bulk-job.worker';
import { parseBulkMemberMatch } from './bulk-member-match.parameters';

/** Seconds a client is asked to wait between two polls of a running job. */
export const RETRY_AFTER_SECONDS = 2;

/** What the status URL answers, as the controller sends it. */
export type JobStatusAnswer =
  | { readonly state: 'in-progress'; readonly progress: string }
  | { readonly state: 'manifest'; readonly manifest: BulkManifest; readonly expires: Date | null }
  | { readonly state: 'groups'; readonly parameters: Parameters; readonly expires: Date | null }
  | { readonly state: 'failed'; readonly outcome: OperationOutcome };

/** https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status */
export interface BulkManifest {
  readonly transactionTime: string;
  readonly request: string;
  readonly requiresAccessToken: true;
  readonly output: { type: string; url: string; count: number }[];
  readonly error: { type: string; url: string }[];
}

/**
 * Bulk Payer-to-Payer at the API: the kick-offs of `$bulk-member-match` and of a Group's export
 * (which only write a job row and answer at once), the status URL (which only reads it), the cancel,
 * the downloads and the result Groups. Everything here belongs to one payer: another client's job,
 * Group or file does not exist for the caller. The work itself is the worker's.
 */
@Injectable()
export class BulkService {
  private readonly repository: BulkJobRepository;
  private readonly baseUrl: string;
  private readonly exportableTypes: readonly string[];
  /** `FHIR_PUBLIC_URL` without its trailing slash: a request path appended to it is the URL the client used. */
  readonly publicUrl: string;

  constructor(
    @Inject(FHIR_CONFIG) config: FhirConfig,
    @Inject(SEARCH_REGISTRY) registry: SearchParameterRegistry,
    private readonly dataSource: DataSource,
    @Inject(BULK_FILE_STORE) private readonly files: BulkFileStore,
    private readonly worker: BulkJobWorker,
    private readonly audit: AccessAuditService,
  ) {
    this.repository = new BulkJobRepository(dataSource);
    this.baseUrl = fhirBaseUrl(config);
    this.publicUrl = config.FHIR_PUBLIC_URL.replace(/\/+$/, '');
    this.exportableTypes = registry.resourceTypes.filter((type) => !SHARED_RESOURCE_TYPES.has(type));
  }

  /** PDex `$bulk-member-match`: checks the whole request now, matches later. Returns the status URL. */
  async kickOffMemberMatch(principal: FhirPrincipal, body: unknown, prefer: string | undefined, requestUrl: string): Promise<string> {
    const payer = this.payerWith(principal, 'Patient', '$bulk-member-match');
    requireAsync(prefer);
    const parsed = parseBulkMemberMatch(body);
    if (!parsed.ok) throw new FhirException(badRequest(parsed.problem, parsed.expression));
    const input: MemberMatchJobInput = { subject: payer.subject, members: parsed.members };
    return this.accept(payer, 'member-match', requestUrl, input as unknown as Record<string, unknown>, { interaction: 'bulk-member-match', resourceType: 'Group', resultCount: parsed.members.length });
  }

  /** `Group/{id}/$export` and PDex `$davinci-data-export`: one of this payer's Groups, as its compartment allows. */
  async kickOffExport(principal: FhirPrincipal, groupId: string, query: Readonly<Record<string, unknown>>, prefer: string | undefined, requestUrl: string): Promise<string> {
    const payer = this.payerWith(principal, 'Group', 'Group export');
    requireAsync(prefer);
    const parsed = parseExportRequest(query, readableResourceTypes(payer.scopes, this.exportableTypes, ScopeContext.System));
    if (!parsed.ok) throw new FhirException(badRequest(parsed.problem));
    const group = await this.groupRow(payer.clientId, groupId);
    if (!group) throw new FhirException(notFound('Group', groupId.slice(0, 64)));
    const input: ExportJobInput = {
      groupId,
      memberIds: group.member_ids,
      types: parsed.request.types,
      ...(parsed.request.since ? { since: parsed.request.since.toISOString() } : {}),
    };
    return this.accept(payer, 'export', requestUrl, input as unknown as Record<string, unknown>, { interaction: 'bulk-export', resourceType: 'Group', resourceId: groupId });
  }

  async status(principal: FhirPrincipal, jobId: string): Promise<JobStatusAnswer> {
    const job = await this.ownJob(principal, jobId);
    if (job.status === 'accepted') return { state: 'in-progress', progress: 'accepted' };
    if (job.status === 'running') return { state: 'in-progress', progress: job.progress ?? 'running' };
    if (job.status === 'failed') return { state: 'failed', outcome: operationOutcome('error', 'exception', `The job failed: ${job.error ?? 'unknown error'}`) as OperationOutcome };
    if (job.status !== 'completed' || (job.expiresAt && job.expiresAt <= new Date())) throw new FhirException(notFound('job', jobId.slice(0, 64)));
    if (job.kind === 'member-match') return { state: 'groups', parameters: await this.resultParameters(job), expires: job.expiresAt };
    return { state: 'manifest', manifest: this.manifest(job), expires: job.expiresAt };
  }

  /** Bulk Data's DELETE on the status URL: the job stops (or its results go) and its files are deleted. */
  async cancel(principal: FhirPrincipal, jobId: string): Promise<void> {
    const job = await this.ownJob(principal, jobId);
    if (!(await this.repository.cancel(job.id, job.clientId))) throw new FhirException(notFound('job', jobId.slice(0, 64)));
    await this.files.removeJob(job.id);
  }

  /** A file of a completed, unexpired export of this payer's, with its resource count. */
  async file(principal: FhirPrincipal, jobId: string, fileName: string): Promise<{ stream: Readable; count: number; type: string }> {
    const job = await this.ownJob(principal, jobId);
    const entry = job.kind === 'export' && job.status === 'completed' && job.expiresAt && job.expiresAt > new Date() ? job.output?.files?.find((file) => `${file.type}.ndjson` === fileName) : undefined;
    const stream = entry && (await this.files.reader(entry.key));
    if (!entry || !stream) throw new FhirException(notFound('file', fileName.slice(0, 64)));
    await this.audit.recordOrRefuse(principal as PayerPrincipal, { interaction: 'bulk-export', resourceType: entry.type, resourceId: job.id, status: 200, resultCount: entry.count });
    return { stream, count: entry.count, type: entry.type };
  }

  /** One of the payer's result Groups. */
  async readGroup(principal: FhirPrincipal, groupId: string): Promise<Group> {
    const payer = this.payerWith(principal, 'Group', 'Group read');
    const group = await this.groupRow(payer.clientId, groupId);
    if (!group) throw new FhirException(notFound('Group', groupId.slice(0, 64)));
    await this.audit.recordOrRefuse(payer, { interaction: 'read', resourceType: 'Group', resourceId: groupId, status: 200, resultCount: 1 });
    return group.content;
  }

  private async accept(
    payer: PayerPrincipal,
    kind: BulkJob['kind'],
    requestUrl: string,
    input: Record<string, unknown>,
    audit: { interaction: 'bulk-member-match' | 'bulk-export'; resourceType: string; resourceId?: string; resultCount?: number },
  ): Promise<string> {
    const id = randomUUID();
    await this.repository.create({ id, clientId: payer.clientId, kind, requestUrl, input });
    await this.audit.recordOrRefuse(payer, { ...audit, status: 202, reason: `job ${id}` });
    this.worker.notify();
    return `${this.baseUrl}/bulk-status/${id}`;
  }

  private manifest(job: BulkJob): BulkManifest {
    return {
      transactionTime: job.transactionTime.toISOString(),
      request: job.requestUrl,
      requiresAccessToken: true,
      output: (job.output?.files ?? []).map((file) => ({ type: file.type, url: `${this.baseUrl}/bulk-files/${job.id}/${file.type}.ndjson`, count: file.count })),
      error: [],
    };
  }

  /** PDex `$bulk-member-match` output: the three Groups. */
  private async resultParameters(job: BulkJob): Promise<Parameters> {
    const rows: { kind: MemberGroupKind; content: Group }[] = await this.dataSource.query(`SELECT kind, content FROM payer_group WHERE job_id = $1 AND client_id = $2`, [job.id, job.clientId]);
    const order: MemberGroupKind[] = ['matched', 'non-matched', 'consent-constrained'];
    return {
      resourceType: 'Parameters',
      parameter: order.flatMap((kind) => rows.filter((row) => row.kind === kind).map((row) => ({ name: MEMBER_GROUP_NAMES[kind], resource: row.content }))),
    };
  }

  private async groupRow(clientId: string, groupId: string): Promise<{ member_ids: string[]; content: Group } | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(groupId)) return undefined;
    const rows: { member_ids: string[]; content: Group }[] = await this.dataSource.query(`SELECT member_ids, content FROM payer_group WHERE id = $1 AND client_id = $2`, [groupId, clientId]);
    return rows[0];
  }

  /** The caller's job; for anyone else (another payer, a member's app) it does not exist. */
  private async ownJob(principal: FhirPrincipal, jobId: string): Promise<BulkJob> {
    const job = principal.kind === 'payer' ? await this.repository.findForClient(jobId, principal.clientId) : undefined;
    if (!job) throw new FhirException(notFound('job', jobId.slice(0, 64)));
    return job;
  }

  private payerWith(principal: FhirPrincipal, resourceType: string, what: string): PayerPrincipal {
    if (principal.kind !== 'payer' || !canAccess(principal.scopes, { context: ScopeContext.System, resourceType, interaction: 'search' })) {
      throw new FhirException(forbidden(`${what} is for a payer's backend token with system/${resourceType}.rs`));
    }
    return principal;
  }
}

/** Bulk operations are asynchronous only (Bulk Data 2.0 kick-off): the client must say it will poll. */
function requireAsync(prefer: string | undefined): void {
  const tokens = (prefer ?? '').split(/[,;]/).map((token) => token.trim().toLowerCase());
  if (!tokens.includes('respond-async')) throw new FhirException(badRequest('This operation is asynchronous only: send the header Prefer: respond-async'));
}
