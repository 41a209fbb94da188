import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataAccessType, GrantRevocationReason, GrantRevokedEventV1, RepresentativeRecordedEventV1 } from '@payer-access/client-status';
import { GRANT_REVOKED_TOPIC, REPRESENTATIVE_RECORDED_TOPIC } from '@payer-access/client-status';
import { OutboxWriter } from '@payer-access/events';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthorizationConfig } from '../authorization.config';
import { Clock } from '../common/clock';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import { AuthorizationMetrics } from '../metrics/authorization.metrics';
import { grantLifetime } from './grant-lifetime';
import { MemberGrantEntity, type Relationship } from './member-grant.entity';

export interface ConsentInput {
  grantId: string;
  accountId: string;
  clientId: string;
  patientId: string;
  scope: string;
  representative: { relationship: Relationship; relationshipText: string | null; name: string } | null;
  withholdDemographics: boolean;
  withholdSensitive: boolean;
  /** The app's data-access type now: it decides how long the grant lasts. */
  dataAccessType: DataAccessType;
}

/** The representative as access tokens carry it (`representative` claim). */
export interface RepresentativeClaim {
  relationship: string;
  name: string;
}

const CACHE_TTL_MS = 5000;

export const RELATIONSHIP_LABELS: Record<Relationship, string> = {
  parent_or_guardian_of_minor: 'Parent or guardian of a minor',
  healthcare_power_of_attorney: 'Active healthcare power of attorney',
  court_ordered_guardianship: 'Court ordered guardianship',
  other: 'Other',
};

/**
 * The token's and UserInfo's `fhirUser` (SMART App Launch): the RelatedPerson a Personal
 * Representative is on the FHIR API, created there from the event recorded with the consent, or
 * the member's Patient.
 */
export function fhirUserOf(grant: Pick<MemberGrantEntity, 'relationship' | 'relatedPersonId' | 'patientId'>): string {
  return grant.relationship && grant.relatedPersonId ? `RelatedPerson/${grant.relatedPersonId}` : `Patient/${grant.patientId}`;
}

export function representativeClaim(grant: MemberGrantEntity): RepresentativeClaim | undefined {
  if (!grant.relationship || !grant.representativeName) return undefined;
  const relationship = grant.relationship === 'other' && grant.relationshipText ? grant.relationshipText : RELATIONSHIP_LABELS[grant.relationship];
  return { relationship, name: grant.representativeName };
}

/**
 * Consent records and revocation. Revoking a grant removes every code, refresh token and
 * session artefact of it from the provider's storage, records why, and announces it on
 * `authorization.grant.revoked.v1` so the FHIR service denies its access tokens at once.
 */
@Injectable()
export class MemberGrantsService {
  /**
   * Token issuance reads a grant for every token; grants change only by revocation, which clears
   * this instance's entry at once and another instance's within CACHE_TTL_MS.
   */
  private readonly cache = new Map<string, { grant: MemberGrantEntity; until: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxWriter,
    @Inject(AUTHORIZATION_CONFIG) private readonly config: AuthorizationConfig,
    private readonly metrics: AuthorizationMetrics,
    private readonly clock: Clock,
  ) {}

  /**
   * Records what the member agreed to. A Personal Representative's consent also records, in the
   * same transaction, the event from which the FHIR service creates their RelatedPerson under the
   * id chosen here (the token's `fhirUser`): the consent and its event commit or fail together.
   */
  async recordConsent(input: ConsentInput): Promise<MemberGrantEntity> {
    const createdAt = this.clock.now();
    const lifetime = grantLifetime(input.dataAccessType, createdAt, this.config);
    const grant = this.dataSource.getRepository(MemberGrantEntity).create({
      grantId: input.grantId,
      accountId: input.accountId,
      clientId: input.clientId,
      patientId: input.patientId,
      scope: input.scope,
      relationship: input.representative?.relationship ?? null,
      relationshipText: input.representative?.relationshipText ?? null,
      representativeName: input.representative?.name ?? null,
      relatedPersonId: input.representative ? randomUUID() : null,
      withholdDemographics: input.withholdDemographics,
      withholdSensitive: input.withholdSensitive,
      createdAt,
      dataAccessType: input.dataAccessType,
      ...lifetime,
      revokedAt: null,
      revokedReason: null,
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(MemberGrantEntity).insert(grant);
      await this.audit.record(
        {
          action: 'grant.consented',
          accountId: input.accountId,
          clientId: input.clientId,
          grantId: input.grantId,
          detail: {
            scope: input.scope,
            actingAs: input.representative ? 'representative' : 'self',
            relationship: input.representative?.relationship ?? null,
            relationshipText: input.representative?.relationshipText ?? null,
            representativeName: input.representative?.name ?? null,
            withholdDemographics: input.withholdDemographics,
            withholdSensitive: input.withholdSensitive,
            dataAccessType: input.dataAccessType,
            accessExpiresAt: lifetime.accessExpiresAt?.toISOString() ?? null,
          },
        },
        manager,
      );
      if (input.representative && grant.relatedPersonId) {
        const event: RepresentativeRecordedEventV1 = {
          type: 'authorization.representative.recorded',
          version: 1,
          eventId: randomUUID(),
          occurredAt: createdAt.toISOString(),
          relatedPersonId: grant.relatedPersonId,
          patientId: input.patientId,
          grantId: input.grantId,
          clientId: input.clientId,
          relationship: input.representative.relationship,
          relationshipText: input.representative.relationshipText,
          name: input.representative.name,
        };
        await this.outbox.add(manager, REPRESENTATIVE_RECORDED_TOPIC, grant.relatedPersonId, event);
      }
    });
    return grant;
  }

  async find(grantId: string): Promise<MemberGrantEntity | null> {
    const cached = this.cache.get(grantId);
    if (cached && cached.until > Date.now()) return cached.grant;
    const grant = await this.dataSource.getRepository(MemberGrantEntity).findOneBy({ grantId });
    if (grant && !grant.revokedAt) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(grantId, { grant, until: Date.now() + CACHE_TTL_MS });
    } else {
      this.cache.delete(grantId);
    }
    return grant;
  }

  /**
   * Why the grant may no longer be refreshed, judged by {@link Clock}: a one-time grant never is,
   * a 13-month grant not from its end on. undefined: refresh may go on.
   */
  async refreshRefusal(grantId: string | undefined): Promise<string | undefined> {
    const grant = grantId ? await this.find(grantId) : null;
    if (!grant) return undefined;
    if (grant.dataAccessType === 'one_time') return 'a one-time authorization cannot be refreshed';
    if (grant.accessExpiresAt && this.clock.now().getTime() >= grant.accessExpiresAt.getTime()) {
      return 'the authorization has expired; the member must authorize the app again';
    }
    return undefined;
  }

  /**
   * A one-time grant ends with the access token its code exchange issued: record that instant
   * once (the code is single-use, so only one exchange can get here) and return what is stored.
   */
  async recordOneTimeEnd(grantId: string, accessTokenExpiresAt: Date): Promise<Date | null> {
    await this.dataSource.query(
      `UPDATE member_grant SET access_expires_at = $2, expires_at = $2 WHERE grant_id = $1 AND data_access_type = 'one_time' AND access_expires_at IS NULL`,
      [grantId, accessTokenExpiresAt],
    );
    this.cache.delete(grantId);
    return (await this.find(grantId))?.accessExpiresAt ?? null;
  }

  /** The apps a member has connected and not revoked. */
  listActive(accountId: string): Promise<MemberGrantEntity[]> {
    return this.dataSource.getRepository(MemberGrantEntity).find({
      where: { accountId, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
  }

  /**
   * Revokes one grant: deletes its codes, refresh tokens and the provider's Grant, records the
   * reason, then publishes the event. Returns false when it was already revoked or unknown.
   * `alreadyRemoved` is set when oidc-provider itself has deleted the grant's artefacts.
   */
  async revoke(grantId: string, reason: GrantRevocationReason, options: { accountId?: string; alreadyRemoved?: boolean } = {}): Promise<boolean> {
    const revoked = await this.dataSource.transaction((manager) => this.revokeIn(manager, grantId, reason, options));
    this.afterCommit(revoked ? [grantId] : [], reason);
    this.cache.delete(grantId);
    return revoked;
  }

  /**
   * Revokes every live grant of a client (suspension or termination) inside the caller's
   * transaction, so that the status change and the revocations commit or fail together. Call
   * `afterCommit` with the result once it has committed.
   */
  async revokeAllForClient(manager: EntityManager, clientId: string, reason: GrantRevocationReason): Promise<string[]> {
    const grants = await manager.getRepository(MemberGrantEntity).find({ where: { clientId, revokedAt: IsNull() }, select: { grantId: true } });
    const revoked: string[] = [];
    for (const { grantId } of grants) if (await this.revokeIn(manager, grantId, reason, {})) revoked.push(grantId);
    // Codes and refresh tokens of grants not (yet) recorded as consent, e.g. mid-flight.
    await manager.query(
      `DELETE FROM oidc_payload WHERE kind IN ('AuthorizationCode', 'RefreshToken', 'ClientCredentials', 'Grant') AND payload->>'clientId' = $1`,
      [clientId],
    );
    return revoked;
  }

  /** What follows a committed revocation in this process: the cache forgets, the metrics count. */
  afterCommit(grantIds: readonly string[], reason: GrantRevocationReason): void {
    for (const grantId of grantIds) {
      this.cache.delete(grantId);
      this.metrics.grantRevoked(reason);
    }
  }

  /**
   * Revocations the provider made whose recording failed (see `PostgresAdapter.destroy`): their
   * Grant rows remain as tombstones with the reason until recorded. Returns how many it recorded.
   */
  async recordPendingRevocations(): Promise<number> {
    const pending: { id: string; revoked_reason: GrantRevocationReason }[] = await this.dataSource.query(
      `SELECT id, revoked_reason FROM oidc_payload WHERE kind = 'Grant' AND revoked_reason IS NOT NULL ORDER BY id LIMIT 100`,
    );
    let recorded = 0;
    for (const { id, revoked_reason } of pending) {
      await this.revoke(id, revoked_reason, { alreadyRemoved: true });
      recorded++;
    }
    return recorded;
  }

  private async revokeIn(
    manager: EntityManager,
    grantId: string,
    reason: GrantRevocationReason,
    options: { accountId?: string; alreadyRemoved?: boolean },
  ): Promise<boolean> {
    const rows: MemberGrantEntity[] = await manager
      .getRepository(MemberGrantEntity)
      .createQueryBuilder('grant')
      .setLock('pessimistic_write')
      .where('grant.grant_id = :grantId', { grantId })
      .getMany();
    const found = rows[0];
    if (found && options.accountId && found.accountId !== options.accountId) return false;
    // The provider's tombstone of this grant, if any: recorded now, whatever the outcome below.
    await manager.query(`DELETE FROM oidc_payload WHERE kind = 'Grant' AND id = $1`, [grantId]);
    if (!found || found.revokedAt) return false;
    found.revokedAt = new Date();
    found.revokedReason = reason;
    await manager.getRepository(MemberGrantEntity).update({ grantId }, { revokedAt: found.revokedAt, revokedReason: reason });
    if (!options.alreadyRemoved) {
      await manager.query(`DELETE FROM oidc_payload WHERE grant_id = $1`, [grantId]);
    }
    await this.audit.record({ action: 'grant.revoked', accountId: found.accountId, clientId: found.clientId, grantId, detail: { reason } }, manager);
    // Committed with the revocation; the outbox relay publishes it (at least once) afterwards.
    await this.addRevokedEvent(manager, found, reason);
    return true;
  }

  private async addRevokedEvent(manager: EntityManager, grant: MemberGrantEntity, reason: GrantRevocationReason): Promise<void> {
    const now = Date.now();
    const event: GrantRevokedEventV1 = {
      type: 'authorization.grant.revoked',
      version: 1,
      eventId: randomUUID(),
      occurredAt: new Date(now).toISOString(),
      grantId: grant.grantId,
      clientId: grant.clientId,
      reason,
      // Refresh tokens and codes are gone from our storage; what may still circulate are access
      // tokens issued before now, none of which outlives one access-token lifetime.
      expiresAt: new Date(now + this.config.ACCESS_TOKEN_TTL_SECONDS * 1000).toISOString(),
    };
    await this.outbox.add(manager, GRANT_REVOKED_TOPIC, grant.grantId, event);
  }
}
