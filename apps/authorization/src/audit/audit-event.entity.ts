import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only trail of security-relevant actions. Never holds passwords, tokens or PHI. */
@Entity({ name: 'audit_event' })
@Index('audit_event_grant_idx', ['grantId'])
@Index('audit_event_account_idx', ['accountId'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId!: string | null;

  @Column({ name: 'grant_id', type: 'text', nullable: true })
  grantId!: string | null;

  @Column({ type: 'jsonb' })
  detail!: Record<string, unknown>;
}
