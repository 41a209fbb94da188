import type { ClientChangedEventV1 } from '@payer-access/client-status';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest snapshot of each registered client, projected from `registration.client.changed.v1`. */
@Entity({ name: 'oauth_client' })
export class OAuthClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'client_version', type: 'integer' })
  clientVersion!: number;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'jsonb' })
  event!: ClientChangedEventV1;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /**
   * The client's not-before: the later of registration's (the event's `notBefore`) and the instant
   * this service applied the client's last suspension or termination. Every credential issued to
   * the client before it is void, reinstated or not.
   */
  @Column({ name: 'not_before', type: 'timestamptz', nullable: true })
  notBefore!: Date | null;
}
