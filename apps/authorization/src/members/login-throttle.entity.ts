import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed logins per user name (`user:<name>`, known or not, so the throttle reveals nothing) and per client address (`address:<ip>`). */
@Entity({ name: 'login_throttle' })
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt!: Date;
}
