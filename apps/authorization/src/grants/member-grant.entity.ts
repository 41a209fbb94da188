import { REPRESENTATIVE_RELATIONSHIPS, type DataAccessType, type RepresentativeRelationship } from '@payer-access/client-status';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The relationships a Personal Representative may state; they travel on the representative event. */
export const RELATIONSHIPS = REPRESENTATIVE_RELATIONSHIPS;
export type Relationship = RepresentativeRelationship;

/**
 * What a member agreed to when authorizing an app: the consent record behind an oidc-provider
 * grant, with who acted (Self or a Personal Representative) and the member's choices (demographics,
 * sensitive data).
 */
@Entity({ name: 'member_grant' })
@Index('member_grant_account_idx', ['accountId'])
@Index('member_grant_client_idx', ['clientId'])
export class MemberGrantEntity {
  /** The oidc-provider Grant id, carried by tokens as `grant_id`. */
  @PrimaryColumn({ name: 'grant_id', type: 'text' })
  grantId!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'patient_id', type: 'text' })
  patientId!: string;

  @Column({ type: 'text' })
  scope!: string;

  /** null: the member acted for themself. */
  @Column({ type: 'text', nullable: true })
  relationship!: Relationship | null;

  /** Free text when the relationship is "other". */
  @Column({ name: 'relationship_text', type: 'text', nullable: true })
  relationshipText!: string | null;

  @Column({ name: 'representative_name', type: 'text', nullable: true })
  representativeName!: string | null;

  /** Id of the RelatedPerson named by `fhirUser` when a representative authorized. */
  @Column({ name: 'related_person_id', type: 'text', nullable: true })
  relatedPersonId!: string | null;

  @Column({ name: 'withhold_demographics', type: 'boolean' })
  withholdDemographics!: boolean;

  /** Resources labelled sensitive (42 CFR Part 2, HIV, mental health...) are not shared with the app. */
  @Column({ name: 'withhold_sensitive', type: 'boolean', default: false })
  withholdSensitive!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The grant's end (`grantLifetime`): after it no token of the grant is valid; null: no end (research). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** The app's data-access type when the member authorized; a later change applies to new grants only. */
  @Column({ name: 'data_access_type', type: 'text' })
  dataAccessType!: DataAccessType;

  /**
   * When access ends: refresh stops (13-month) or the one access token expires (one-time, known
   * once it is issued). null: not yet known, or no end (research). Tokens announce it as
   * `access_grant_expiration`.
   */
  @Column({ name: 'access_expires_at', type: 'timestamptz', nullable: true })
  accessExpiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason!: string | null;
}
