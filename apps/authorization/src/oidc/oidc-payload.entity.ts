import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every oidc-provider model (sessions, interactions, codes, refresh tokens, grants...) in one
 * table, as the provider's reference adapters store them: the payload is opaque to us, the
 * indexed columns serve the adapter's lookups.
 */
@Entity({ name: 'oidc_payload' })
@Index('oidc_payload_grant_id_idx', ['grantId'])
@Index('oidc_payload_uid_idx', ['uid'])
@Index('oidc_payload_expires_at_idx', ['expiresAt'])
export class OidcPayloadEntity {
  @PrimaryColumn({ type: 'text' })
  kind!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'grant_id', type: 'text', nullable: true })
  grantId!: string | null;

  @Column({ type: 'text', nullable: true })
  uid!: string | null;

  @Column({ name: 'user_code', type: 'text', nullable: true })
  userCode!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;

  /** On a revoked Grant kept as a tombstone until its revocation is recorded: why it was revoked. */
  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason!: string | null;
}
