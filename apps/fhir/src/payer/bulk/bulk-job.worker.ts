import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { revokesAccess } from '@payer-access/client-status';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { AccessAuditService } from '../../audit/access-audit.service';
import type { PayerPrincipal } from '../../auth/fhir-principal';
import { ClientStatusCache } from '../../events/client-status.cache';
import type { FhirConfig } from '../../fhir.config';
import { FHIR_CONFIG } from '../../fhir.tokens';
import type { MemberMatchInput } from '../member-match/member-match.parameters';
import { MemberMatchService } from '../member-match/member-match.service';
import { BulkExporter, ExportStoppedError } from './bulk-exporter';
import { BULK_FILE_STORE, type BulkFileStore } from './bulk-file.store';
import { memberGroup, type GroupMember, type MemberGroupKind } from './bulk-groups';
import { BulkJobRepository, type BulkJob } from './bulk-job.repository';

/** A job that has failed this many times (instances dying under it included) is failed for good. */
export const MAX_ATTEMPTS = 3;
const POLL_MS = 1_000;
/** Members of a bulk match decided at once. */
const MATCH_CONCURRENCY = 8;
const SWEEP_MS = 60_000;

/** What a `$bulk-member-match` job keeps of its request. */
export interface MemberMatchJobInput {
  readonly subject: string;
  readonly members: readonly MemberMatchInput[];
}

/** What an export job keeps of its request: the Group's members as they were at kick-off. */
export interface ExportJobInput {
  readonly groupId: string;
  readonly memberIds: readonly string[];
  readonly types: readonly string[];
  readonly since?: string;
}

/**
 * Runs the bulk jobs of the `bulk_job` table: `FHIR_BULK_WORKERS` loops per instance, each claiming
 * one job at a time under a lease (see `BulkJobRepository`). One executor owns a job's lifecycle
 * (accepted → running → completed / failed / cancelled); the API only writes the kick-off and the
 * cancel, and reads. A job interrupted by a restart is run again from the start by whichever
 * worker claims it next, into a fresh set of files: files are listed in the job only by the commit
 * that completes it, so a partial file is never served. A sweep deletes the files of expired jobs.
 */
@Injectable()
export class BulkJobWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BulkJobs');
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly repository: BulkJobRepository;
  private readonly exporter: BulkExporter;
  private readonly active = new Map<string, AbortController>();
  private loops: Promise<void>[] = [];
  private stopped = false;
  private wakers: (() => void)[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(FHIR_CONFIG) private readonly config: FhirConfig,
    private readonly dataSource: DataSource,
    @Inject(BULK_FILE_STORE) private readonly files: BulkFileStore,
    private readonly memberMatch: MemberMatchService,
    private readonly statusCache: ClientStatusCache,
    private readonly audit: AccessAuditService,
  ) {
    this.repository = new BulkJobRepository(dataSource);
    this.exporter = new BulkExporter(dataSource, files);
    statusCache.onAccessRevoked((clientId, at) => {
      this.cancelClient(clientId, at).catch((error: unknown) => this.logger.error(`could not cancel the bulk jobs of client ${clientId}: ${message(error)}`));
    });
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    for (let index = 0; index < this.config.FHIR_BULK_WORKERS; index += 1) this.loops.push(this.loop());
    this.sweeper = setInterval(() => void this.sweep().catch((error: unknown) => this.logger.warn(`sweep failed: ${message(error)}`)), Math.min(SWEEP_MS, this.config.FHIR_BULK_FILE_TTL_SECONDS * 1000));
    this.sweeper.unref();
  }

  /** Stops the loops; a job in progress is given back at once, for a worker of another instance or the next start. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const controller of this.active.values()) controller.abort();
    this.notify();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Asks the idle loops to look for work now (a job was just accepted in this process). */
  notify(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }

  /**
   * Expires completed jobs whose time is up, then deletes the files of every job that ended
   * (expired, cancelled, failed) once: a job is marked swept when its files are gone, and a job
   * this instance is still running is left for a later sweep. Returns how many jobs expired.
   */
  async sweep(): Promise<number> {
    const expired = await this.repository.expire();
    for (const id of await this.repository.unswept()) {
      if (this.active.has(id)) continue;
      await this.files.removeJob(id);
      await this.repository.markSwept(id);
    }
    return expired.length;
  }

  /** The client's suspension or termination: its jobs stop, running ones included, and their files go. */
  async cancelClient(clientId: string, at: Date): Promise<void> {
    const cancelled = await this.repository.cancelClient(clientId, at);
    for (const id of cancelled) {
      this.active.get(id)?.abort();
      await this.files.removeJob(id);
    }
    if (cancelled.length > 0) this.logger.log(`cancelled ${cancelled.length} bulk job(s) of client ${clientId}, which lost its access`);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let worked = false;
      try {
        worked = await this.runOne();
      } catch (error) {
        this.logger.warn(`bulk worker: ${message(error)}`);
      }
      if (!worked && !this.stopped) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.wakers = this.wakers.filter((waker) => waker !== wake);
            resolve();
          };
          const timer = setTimeout(wake, POLL_MS);
          this.wakers.push(wake);
        });
      }
    }
  }

  /** Claims and runs one job; false when none was waiting. */
  async runOne(): Promise<boolean> {
    const job = await this.repository.claim(this.owner, this.config.FHIR_BULK_LEASE_SECONDS);
    if (!job) return false;
    if (job.attempts > MAX_ATTEMPTS) {
      // Files first: once the job reads as failed, nothing of it may remain.
      await this.files.removeJob(job.id);
      await this.repository.fail(job.id, this.owner, `gave up after ${MAX_ATTEMPTS} attempts`);
      return true;
    }
    const controller = new AbortController();
    this.active.set(job.id, controller);
    try {
      // What an earlier attempt wrote is partial by definition.
      await this.files.removeJob(job.id);
      if (job.kind === 'export') await this.runExport(job, controller.signal);
      else await this.runMemberMatch(job, controller.signal);
    } catch (error) {
      if (this.stopped && controller.signal.aborted) {
        await this.repository.release(job.id, this.owner).catch(() => undefined);
      } else if (!(error instanceof ExportStoppedError)) {
        this.logger.error(`bulk job ${job.id} (${job.kind}) failed: ${message(error)}`);
        if (await this.repository.fail(job.id, this.owner, 'the job failed on the server').catch(() => false)) await this.files.removeJob(job.id);
      } else {
        // Cancelled (the cancel deleted the job's files), or the lease went to another worker, whose
        // attempt writes files of its own: what this attempt wrote is listed nowhere.
        await this.files.removeAttempt(job.id, job.attempts).catch(() => undefined);
      }
    } finally {
      this.active.delete(job.id);
    }
    return true;
  }

  private heartbeat(job: BulkJob, signal: AbortSignal) {
    return async (progress: string): Promise<boolean> => {
      if (signal.aborted) return false;
      // The revocation event cancels the client's jobs; this catches one that arrived while the
      // job was being claimed. A status not known yet (the cache still catching up at start) is no revocation.
      const status = this.statusCache.statusOf(job.clientId);
      if (status !== undefined && revokesAccess(status)) {
        await this.repository.cancelClient(job.clientId, new Date());
        return false;
      }
      return this.repository.heartbeat(job.id, this.owner, this.config.FHIR_BULK_LEASE_SECONDS, progress);
    };
  }

  private async runExport(job: BulkJob, signal: AbortSignal): Promise<void> {
    const input = job.input as unknown as ExportJobInput;
    const beat = this.heartbeat(job, signal);
    const files = await this.exporter.export(
      {
        jobId: job.id,
        attempt: job.attempts,
        clientId: job.clientId,
        transactionTime: job.transactionTime,
        memberIds: input.memberIds,
        types: input.types,
        ...(input.since ? { since: new Date(input.since) } : {}),
      },
      (exported) => beat(`exported ${exported} resources`),
      signal,
    );
    if (!(await this.repository.complete(job.id, this.owner, { files }, this.config.FHIR_BULK_FILE_TTL_SECONDS))) throw new ExportStoppedError();
  }

  private async runMemberMatch(job: BulkJob, signal: AbortSignal): Promise<void> {
    const input = job.input as unknown as MemberMatchJobInput;
    const beat = this.heartbeat(job, signal);
    const principal = payerPrincipal(job.clientId, input.subject);
    const results: Record<MemberGroupKind, GroupMember[]> = { matched: [], 'non-matched': [], 'consent-constrained': [] };
    const matchedIds: string[] = [];
    const audits: Promise<void>[] = [];
    // A few members at a time: each match commits its link and its audit row, and commits that
    // arrive together share one flush to disk.
    for (let start = 0; start < input.members.length; start += MATCH_CONCURRENCY) {
      if (!(await beat(`matched ${start} of ${input.members.length} members`))) throw new ExportStoppedError();
      const chunk = input.members.slice(start, start + MATCH_CONCURRENCY);
      const decisions = await Promise.all(chunk.map((member) => this.memberMatch.decide(job.clientId, member, job.transactionTime)));
      for (const [offset, decision] of decisions.entries()) {
        audits.push(
          this.audit.record(principal, {
            interaction: 'bulk-member-match',
            resourceType: 'Patient',
            resourceId: decision.outcome === 'non-matched' ? undefined : decision.patientId,
            status: decision.outcome === 'matched' ? 200 : 422,
            resultCount: decision.outcome === 'matched' ? 1 : 0,
            reason: decision.outcome === 'matched' ? `matched by ${decision.criterion}; consent ${decision.policy}` : `${decision.outcome}: ${decision.reason}`,
          }),
        );
        if (decision.outcome === 'matched') {
          results.matched.push({ kind: 'ours', patientId: decision.patientId, identifier: decision.identifier });
          matchedIds.push(decision.patientId);
        } else {
          results[decision.outcome].push({ kind: 'described', patient: chunk[offset].memberPatient });
        }
      }
    }
    // Every decision is in the audit before its result can be read.
    await Promise.all(audits);
    const now = new Date();
    // The Groups and the completion commit together: a job that lost its lease leaves no Group.
    await this.dataSource.transaction(async (manager) => {
      const groups: string[] = [];
      for (const kind of ['matched', 'non-matched', 'consent-constrained'] as const) {
        const id = randomUUID();
        await manager.query(`INSERT INTO payer_group (id, client_id, job_id, kind, member_ids, content) VALUES ($1, $2, $3, $4, $5, $6)`, [
          id,
          job.clientId,
          job.id,
          kind,
          kind === 'matched' ? [...new Set(matchedIds)] : [],
          JSON.stringify(memberGroup(id, kind, job.clientId, results[kind], now)),
        ]);
        groups.push(id);
      }
      if (!(await this.repository.complete(job.id, this.owner, { groups }, this.config.FHIR_BULK_FILE_TTL_SECONDS, manager))) throw new ExportStoppedError();
    });
  }
}

/** The payer as the access audit names it for work done on its behalf after the request. */
function payerPrincipal(clientId: string, subject: string): PayerPrincipal {
  return { kind: 'payer', clientId, subject, scopes: [], scope: '', expiresAt: new Date(), withholdDemographics: false, withholdSensitive: false };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
