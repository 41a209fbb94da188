import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed-login counters per account (`account:<email>`), per client address (`address:<ip>`) and per account's second factor (`second-factor:<id>`). */
@Entity('login_failure')
export class LoginFailureEntity {
  @PrimaryColumn('text')
  subject!: string;

  @Column('int')
  failures!: number;

  @Column('timestamptz', { name: 'window_started_at' })
  windowStartedAt!: Date;

  /** When the last attempt was reserved: a staff account's growing wait counts from it. */
  @Column('timestamptz', { name: 'last_attempt_at' })
  lastAttemptAt!: Date;
}
