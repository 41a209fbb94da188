import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const AccountKind = {
  Developer: 'developer',
  Payer: 'payer',
  /** Plan staff: reviews registrations through the admin routes. */
  Staff: 'staff',
} as const;
export type AccountKind = (typeof AccountKind)[keyof typeof AccountKind];

export const Role = {
  Developer: 'developer',
  Payer: 'payer',
  Admin: 'admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** The role an account's portal tokens carry. */
export function roleOf(kind: AccountKind): Role {
  return kind === AccountKind.Staff ? Role.Admin : kind;
}

@Entity('account')
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lower-cased; unique. */
  @Column('text')
  email!: string;

  /** argon2id PHC string. */
  @Column('text', { name: 'password_hash' })
  passwordHash!: string;

  @Column('text')
  name!: string;

  @Column('text')
  organization!: string;

  @Column('text')
  phone!: string;

  @Column('text')
  kind!: AccountKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Null until the owner follows the link mailed at sign-up; staff and seeded accounts are verified at creation. */
  @Column('timestamptz', { name: 'email_verified_at', nullable: true })
  emailVerifiedAt!: Date | null;

  /** The TOTP secret, sealed (JWE) with SECOND_FACTOR_ENCRYPTION_KEY; set while enrolling and once enrolled. */
  @Column('text', { name: 'totp_secret', nullable: true, select: false })
  totpSecret!: string | null;

  /** When the second factor was confirmed with a first code; null: no second factor (or enrolment not finished). */
  @Column('timestamptz', { name: 'totp_enabled_at', nullable: true })
  totpEnabledAt!: Date | null;
}
