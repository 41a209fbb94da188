import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An event whose database effects a consumer has applied (see `ConsumedEvents`). */
@Entity({ name: 'consumed_event' })
@Index('consumed_event_consumed_at_idx', ['consumedAt'])
export class ConsumedEvent {
  /** The consumer (usually its group id): one event may matter to several consumers of a service. */
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ name: 'consumed_at', type: 'timestamptz', default: () => 'now()' })
  consumedAt!: Date;
}
