import type { ClientStatus } from '@payer-access/client-status';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What happened to a registration; status actions are the client-status actions. */
export const HistoryAction = {
  Submitted: 'submitted',
  Updated: 'updated',
  Approve: 'approve',
  Suspend: 'suspend',
  Reinstate: 'reinstate',
  Terminate: 'terminate',
  RequestInformation: 'request_information',
  ReviewRequested: 'review_requested',
  SecretIssued: 'secret_issued',
  SecretRotated: 'secret_rotated',
  /** The owner asked for (or withdrew) an identity change of an approved client; it waits for staff. */
  ChangeRequested: 'change_requested',
  ChangeApproved: 'change_approved',
  ChangeRejected: 'change_rejected',
} as const;
export type HistoryAction = (typeof HistoryAction)[keyof typeof HistoryAction];

/** The registration's audit trail: append-only, one row per change (who, when, from, to, why). */
@Entity('registration_history')
export class RegistrationHistoryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('uuid', { name: 'registration_id' })
  registrationId!: string;

  @Column('text')
  action!: HistoryAction;

  @Column('text', { name: 'from_status', nullable: true })
  fromStatus!: ClientStatus | null;

  @Column('text', { name: 'to_status' })
  toStatus!: ClientStatus;

  @Column('text', { nullable: true })
  reason!: string | null;

  /** Null when the platform acted (the sandbox seed). */
  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text', { name: 'actor_email', nullable: true })
  actorEmail!: string | null;

  @Column('text', { name: 'actor_role' })
  actorRole!: string;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at!: Date;
}
