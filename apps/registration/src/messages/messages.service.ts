import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ActorRole } from '@payer-access/client-status';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { RegistrationException } from '../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../common/tokens';
import { messageFromOwnerMail, messageFromStaffMail, portalPageUrl } from '../notifications/mail-templates';
import { MailService } from '../notifications/mail.service';
import type { RegistrationConfig } from '../registration.config';
import type { Actor } from '../registrations/actor';
import { RegistrationEntity } from '../registrations/registration.entity';
import { RegistrationsService } from '../registrations/registrations.service';
import { restartClockOnAnswer } from '../registrations/review-clock';
import { MESSAGE_PAGE_DEFAULT, type MessageDto, type MessagePageDto, type MessagePageQueryDto } from './dto/message.dto';
import { MessageKind, RegistrationMessageEntity } from './registration-message.entity';

/** Who reads the thread: owners see staff by role only, as in the history. */
export type ThreadReader = 'owner' | 'staff';

/** Appends a message to a registration's thread, in the caller's transaction; returns its id. */
export async function addMessage(manager: EntityManager, entry: { registrationId: string; kind: MessageKind; body: string; actor: Actor }): Promise<string> {
  const id = randomUUID();
  await manager.insert(RegistrationMessageEntity, {
    id,
    registrationId: entry.registrationId,
    kind: entry.kind,
    authorRole: entry.actor.role === ActorRole.Admin ? 'admin' : 'owner',
    authorId: entry.actor.accountId,
    authorEmail: entry.actor.email,
    body: entry.body,
  });
  return id;
}

/**
 * The thread between a registration's owner and plan staff. Each message is mailed to the other
 * side through the mail outbox, queued in the message's own transaction: a stored message always
 * has its mail, and a refused one has neither.
 */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registrations: RegistrationsService,
    private readonly mail: MailService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  async ownerThread(ownerId: string, registrationId: string, query: MessagePageQueryDto): Promise<MessagePageDto> {
    await this.registrations.getOwn(ownerId, registrationId);
    return this.page(registrationId, query, 'owner');
  }

  async staffThread(registrationId: string, query: MessagePageQueryDto): Promise<MessagePageDto> {
    if (!(await this.dataSource.getRepository(RegistrationEntity).existsBy({ id: registrationId }))) throw RegistrationException.notFound();
    return this.page(registrationId, query, 'staff');
  }

  /**
   * The owner writes to staff. A reply to an open information request answers it: the review clock
   * starts again, as when the owner updates the answers.
   */
  async postAsOwner(ownerId: string, registrationId: string, body: string, actor: Actor): Promise<MessageDto> {
    const staffAddress = this.config.ADMIN_EMAIL;
    const id = await this.dataSource.transaction(async (manager) => {
      const registration = await this.registrations.getOwn(ownerId, registrationId, manager, true);
      if (restartClockOnAnswer(registration, this.clock.now())) {
        await manager.update(RegistrationEntity, { id: registration.id }, { reviewClockStartedAt: registration.reviewClockStartedAt });
      }
      const id = await addMessage(manager, { registrationId, kind: MessageKind.Message, body, actor });
      if (staffAddress) await this.mail.queue(manager, messageFromOwnerMail(staffAddress, registration, body, portalPageUrl(this.config.PORTAL_PUBLIC_URL, `/admin/registrations/${registration.id}`)));
      return id;
    });
    if (staffAddress) this.mail.wake();
    return this.one(id, 'owner');
  }

  /** Staff write to the registration's contact. */
  async postAsStaff(registrationId: string, body: string, actor: Actor): Promise<MessageDto> {
    const id = await this.dataSource.transaction(async (manager) => {
      // Shared lock: the registration cannot be deleted or its contact changed under the message.
      const registration = await manager.findOne(RegistrationEntity, { where: { id: registrationId }, lock: { mode: 'pessimistic_read' } });
      if (!registration) throw RegistrationException.notFound();
      const id = await addMessage(manager, { registrationId, kind: MessageKind.Message, body, actor });
      await this.mail.queue(manager, messageFromStaffMail(registration.contactEmail, registration, body, portalPageUrl(this.config.PORTAL_PUBLIC_URL, `/registrations/${registration.id}`)));
      return id;
    });
    this.mail.wake();
    return this.one(id, 'staff');
  }

  private async page(registrationId: string, query: MessagePageQueryDto, reader: ThreadReader): Promise<MessagePageDto> {
    const limit = query.limit ?? MESSAGE_PAGE_DEFAULT;
    const repository = this.dataSource.getRepository(RegistrationMessageEntity);
    const builder = repository.createQueryBuilder('m').where('m.registration_id = :registrationId', { registrationId });
    if (query.before) builder.andWhere('m.seq < :before', { before: query.before });
    // One more than asked: whether an older page exists.
    const [newest, total] = await Promise.all([builder.orderBy('m.seq', 'DESC').limit(limit + 1).getMany(), repository.countBy({ registrationId })]);
    const shown = newest.slice(0, limit).reverse();
    return { items: shown.map((message) => toMessageDto(message, reader)), olderCursor: newest.length > limit ? shown[0].seq : null, total };
  }

  private async one(id: string, reader: ThreadReader): Promise<MessageDto> {
    return toMessageDto(await this.dataSource.getRepository(RegistrationMessageEntity).findOneByOrFail({ id }), reader);
  }
}

export function toMessageDto(message: RegistrationMessageEntity, reader: ThreadReader): MessageDto {
  return {
    id: message.id,
    kind: message.kind,
    authorRole: message.authorRole,
    authorEmail: reader === 'staff' ? message.authorEmail : null,
    body: message.body,
    at: message.createdAt.toISOString(),
  };
}
