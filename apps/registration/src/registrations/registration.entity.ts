import type { ClientStatus, ClientType, DataAccessType, PublicJwks, RegistrationKind } from '@payer-access/client-status';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * The identity of a client as members and the authorization server see it: what it is called,
 * who makes it, its policies, where authorization codes go, and the keys a payer proves itself
 * with, and how long members' authorizations last (its data-access type). Once approved, changes
 * to these wait for staff (`RegistrationEntity.pendingChange`).
 */
export const IDENTITY_FIELDS = ['name', 'companyName', 'companyUrl', 'privacyPolicyUrl', 'termsUrl', 'logoUrl', 'redirectUris', 'clientType', 'jwks', 'jwksUri', 'dataAccessType'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

export type IdentityValues = Partial<Pick<RegistrationEntity, IdentityField>>;

/** An owner's identity change awaiting staff review. */
export interface PendingChange {
  /** New with every change the owner makes to it, so that staff approve exactly what they saw. */
  id: string;
  requestedAt: string;
  /** Requested by (account id). */
  requestedBy: string | null;
  /** Only the fields that differ from the values in force. */
  values: IdentityValues;
}

/** The registrant's answers to the privacy and technical questions of seeds 000 and 001. */
export interface Attestations {
  privacyPolicyCoversDataSharing?: boolean;
  privacyPolicyRequiresExpressConsent?: boolean;
  privacyPolicyExplainsDiscontinuation?: boolean;
  supportsOpenIdConnectAndOAuth2: boolean;
  conformsToHl7Standards: boolean;
  storesTokensSecurely: boolean;
  sellsMemberData?: boolean;
  adheresToCarinCodeOfConduct: boolean;
}

@Entity('registration')
export class RegistrationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  kind!: RegistrationKind;

  @Column('uuid', { name: 'owner_id' })
  ownerId!: string;

  @Column('text')
  status!: ClientStatus;

  /** Application or payer name, shown to members on the consent page. */
  @Column('text')
  name!: string;

  @Column('text', { name: 'company_name' })
  companyName!: string;

  @Column('text', { name: 'company_url' })
  companyUrl!: string;

  @Column('text', { name: 'privacy_policy_url' })
  privacyPolicyUrl!: string;

  @Column('text', { name: 'terms_url', nullable: true })
  termsUrl!: string | null;

  @Column('text', { name: 'logo_url', nullable: true })
  logoUrl!: string | null;

  @Column('text', { name: 'redirect_uris', array: true })
  redirectUris!: string[];

  @Column('text', { name: 'client_type' })
  clientType!: ClientType;

  /** Blue Button 2.0: how long a member's authorization of the app lasts. */
  @Column('text', { name: 'data_access_type', default: 'thirteen_month' })
  dataAccessType!: DataAccessType;

  @Column('text', { name: 'contact_email' })
  contactEmail!: string;

  @Column('text', { name: 'contact_phone' })
  contactPhone!: string;

  /** Payers only: where the plan sends the "come and get your tokens" email (seed 000). */
  @Column('text', { name: 'document_email', nullable: true })
  documentEmail!: string | null;

  @Column('jsonb')
  attestations!: Attestations;

  /**
   * Payers only: the public keys of their token-endpoint assertions (private_key_jwt, SMART
   * Backend Services), inline; at most one of jwks and jwksUri.
   */
  @Column('jsonb', { nullable: true })
  jwks!: PublicJwks | null;

  /** Payers only: where the payer publishes those keys instead. */
  @Column('text', { name: 'jwks_uri', nullable: true })
  jwksUri!: string | null;

  /** Minted at approval; unique. */
  @Column('text', { name: 'client_id', nullable: true })
  clientId!: string | null;

  /**
   * Hash of the current client secret: keyed SHA-256 (`$hmac-sha256$…`), or argon2id for secrets
   * issued before; null for public clients and until issued.
   */
  @Column('text', { name: 'secret_hash', nullable: true })
  secretHash!: string | null;

  @Column('timestamptz', { name: 'secret_issued_at', nullable: true })
  secretIssuedAt!: Date | null;

  /** Version of the client as published; grows by one with every event (ClientChangedEventV1.clientVersion). */
  @Column('int', { name: 'client_version', default: 0 })
  clientVersion!: number;

  /** Whether the client's last event was in the current form (signed, secret sealed); see ClientRepublisher. */
  @Column('boolean', { name: 'client_events_signed', default: false })
  clientEventsSigned!: boolean;

  /** Start of the 10-business-day review clock: submission, or the answer to an information request. */
  @Column('timestamptz', { name: 'review_clock_started_at' })
  reviewClockStartedAt!: Date;

  @Column('timestamptz', { name: 'information_requested_at', nullable: true })
  informationRequestedAt!: Date | null;

  @Column('timestamptz', { name: 'review_requested_at', nullable: true })
  reviewRequestedAt!: Date | null;

  @CreateDateColumn({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Identity changes of an approved or suspended registration waiting for staff; null when none. */
  @Column('jsonb', { name: 'pending_change', nullable: true })
  pendingChange!: PendingChange | null;

  /** Optimistic lock: two staff members acting at once cannot both apply a transition. */
  @VersionColumn({ name: 'row_version' })
  rowVersion!: number;
}
