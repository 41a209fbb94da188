import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message of the thread, or staff's information request (which is one too). */
export const MessageKind = { Message: 'message', InformationRequest: 'information_request' } as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

/** One message of a registration's thread between its owner and plan staff; never changed once written. */
@Entity('registration_message')
export class RegistrationMessageEntity {
  /** Orders the thread; the paging cursor. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  seq!: string;

  @Column('uuid', { unique: true })
  id!: string;

  @Column('uuid', { name: 'registration_id' })
  registrationId!: string;

  @Column('text')
  kind!: MessageKind;

  @Column('text', { name: 'author_role' })
  authorRole!: 'owner' | 'admin';

  @Column('uuid', { name: 'author_id', nullable: true })
  authorId!: string | null;

  @Column('text', { name: 'author_email', nullable: true })
  authorEmail!: string | null;

  @Column('text')
  body!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
