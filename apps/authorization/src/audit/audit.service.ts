import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';

export type AuditAction =
  | 'member.login.succeeded'
  | 'member.login.failed'
  | 'member.login.throttled'
  | 'grant.consented'
  | 'grant.denied'
  | 'grant.revoked'
  | 'client.projected';

export interface AuditEntry {
  action: AuditAction;
  accountId?: string | null;
  clientId?: string | null;
  grantId?: string | null;
  /** No secrets, tokens or health data: identifiers and choices only. */
  detail?: Record<string, unknown>;
}

/** Appends to the audit trail; inside the caller's transaction when one is given. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const repository = manager ? manager.getRepository(AuditEventEntity) : this.events;
    await repository.insert({
      occurredAt: new Date(),
      action: entry.action,
      accountId: entry.accountId ?? null,
      clientId: entry.clientId ?? null,
      grantId: entry.grantId ?? null,
      detail: (entry.detail ?? {}) as AuditEventEntity['detail'] & object,
    });
    this.logger.log(`${entry.action} client=${entry.clientId ?? '-'} grant=${entry.grantId ?? '-'}`);
  }

  list(filter: { grantId?: string; accountId?: string }): Promise<AuditEventEntity[]> {
    return this.events.find({ where: filter, order: { id: 'ASC' } });
  }
}
