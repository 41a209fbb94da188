import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A plan member who can log in and authorize apps, linked to their FHIR Patient. */
@Entity({ name: 'member_account' })
export class MemberAccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** As the member types it; matched case-insensitively through `username_key`. */
  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'username_key', type: 'text', unique: true })
  usernameKey!: string;

  /** argon2id. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ name: 'patient_id', type: 'text' })
  patientId!: string;

  @Column({ name: 'given_name', type: 'text', nullable: true })
  givenName!: string | null;

  @Column({ name: 'family_name', type: 'text', nullable: true })
  familyName!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
