import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed logins per user name key (known or not, so the throttle reveals nothing). */
@Entity({ name: 'login_throttle' })
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt!: Date;
}
