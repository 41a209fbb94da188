import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JWK } from 'jose';

/**
 * A token signing key. At any time one key signs (the newest active one), the next one is
 * already published so that resource servers caching the JWKS know it before it signs, and
 * retired keys stay published until every token they signed has expired.
 */
@Entity({ name: 'signing_key' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'text' })
  kid!: string;

  @Column({ type: 'text' })
  alg!: string;

  /**
   * The private JWK in plaintext, as versions before envelope encryption stored it. Sealed into
   * `encryptedPrivateJwk` and cleared at the next start.
   */
  @Column({ name: 'private_jwk', type: 'jsonb', nullable: true })
  privateJwk!: JWK | null;

  /** The private JWK sealed with the key-encryption key (JWE compact, `dir` + `A256GCM`). */
  @Column({ name: 'encrypted_private_jwk', type: 'text', nullable: true })
  encryptedPrivateJwk!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the key starts signing. */
  @Column({ name: 'activates_at', type: 'timestamptz' })
  activatesAt!: Date;

  /** When the key stops being published (set when a newer key takes over). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
