import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EventHeaders } from '../event-bus';

/**
 * One event waiting in (or delivered from) a service's transactional outbox: written in the same
 * transaction as the change it announces, published to Kafka afterwards by the `OutboxRelay`.
 * The table lives in the service's own schema (`search_path`).
 */
@Entity({ name: 'outbox' })
@Index('outbox_unsent_idx', ['id'], { where: 'sent_at IS NULL' })
@Index('outbox_unsent_key_idx', ['topic', 'messageKey', 'id'], { where: 'sent_at IS NULL' })
@Index('outbox_sent_at_idx', ['sentAt'], { where: 'sent_at IS NOT NULL' })
export class OutboxMessage {
  /** bigserial: commit order of a key's events, which the relay keeps. A string, as int8 exceeds JS numbers. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ name: 'message_key', type: 'text' })
  messageKey!: string;

  @Column({ type: 'jsonb' })
  payload!: object;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  headers!: EventHeaders;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Null until the broker acknowledged the event. */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** Publication attempts so far, the successful one included. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Why the last attempt failed (an error message, never the payload). */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Not retried before this instant (exponential backoff after a failure). */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;
}
