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

  /** Set by each suspension or termination: the client's access tokens issued before it are void. */
  @Column({ name: 'tokens_revoked_before', type: 'timestamptz', nullable: true })
  tokensRevokedBefore!: Date | null;
}
