import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClientAction, ClientStatus, RegistrationKind, allowedActions, applyTransition } from '@payer-access/client-status';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../common/tokens';
import { mintClientId } from '../credentials/client-credentials';
import { approvalMail, informationRequestMail, type MailContext, type MailMessage, portalPageUrl, reinstatementMail, suspensionMail, terminationMail } from '../notifications/mail-templates';
import { MailService } from '../notifications/mail.service';
import { MessageKind } from '../messages/registration-message.entity';
import { addMessage } from '../messages/messages.service';
import type { RegistrationConfig } from '../registration.config';
import type { Actor } from '../registrations/actor';
import { ClientEvents } from '../registrations/client-events';
import { RegistrationMetrics } from '../registrations/registration.metrics';
import { addHistory } from '../registrations/history';
import { toRegistrationDto } from '../registrations/registration.mapper';
import { HistoryAction, RegistrationHistoryEntity } from '../registrations/registration-event.entity';
import { IDENTITY_FIELDS, RegistrationEntity } from '../registrations/registration.entity';
import { REVIEW_BUSINESS_DAYS, businessDaysBetween, isReviewOverdue } from './business-days/business-days';
import type { AdminRegistrationDto, OwnRegistrationDto, ReviewClockDto, ReviewQueueItemDto, ReviewQueueQueryDto } from './dto/review.dto';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The admin routes' actions; all but request-information are client-status transitions. */
export const ReviewAction = {
  Approve: 'approve',
  RequestInformation: 'request-information',
  Suspend: 'suspend',
  Terminate: 'terminate',
  Reinstate: 'reinstate',
} as const;
export type ReviewAction = (typeof ReviewAction)[keyof typeof ReviewAction];

const TRANSITION: Record<Exclude<ReviewAction, 'request-information'>, ClientAction> = {
  approve: ClientAction.Approve,
  suspend: ClientAction.Suspend,
  terminate: ClientAction.Terminate,
  reinstate: ClientAction.Reinstate,
};

/** Staff's answer to an owner's pending identity change. */
export const ChangeDecision = { Approve: 'approve-change', Reject: 'reject-change' } as const;
export type ChangeDecision = (typeof ChangeDecision)[keyof typeof ChangeDecision];

export interface ActOptions {
  /** The sandbox seed's fixed client_id (seed 002); otherwise one is minted. */
  clientId?: string;
  /** Email the registrant (default). The sandbox seed has nobody to tell. */
  notify?: boolean;
}

/** Plan staff's review: the queue with its business-day clock, one registration's record, and the status actions. */
@Injectable()
export class ReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: ClientEvents,
    private readonly mail: MailService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    private readonly metrics: RegistrationMetrics,
  ) {}

  async queue(query: ReviewQueueQueryDto): Promise<ReviewQueueItemDto[]> {
    const where: Partial<Pick<RegistrationEntity, 'kind' | 'status'>> = {};
    if (query.kind) where.kind = query.kind;
    if (query.status) where.status = query.status;
    const found = await this.dataSource.getRepository(RegistrationEntity).find({ where, order: { submittedAt: 'ASC' } });
    const registrations = query.changePending === undefined ? found : found.filter((registration) => (registration.pendingChange !== null) === query.changePending);
    const now = this.clock.now();
    const items = registrations.map((registration) => {
      const reviewClock = this.reviewClock(registration, now);
      return {
        id: registration.id,
        kind: registration.kind,
        status: registration.status,
        name: registration.name,
        companyName: registration.companyName,
        submittedAt: registration.submittedAt.toISOString(),
        ageDays: Math.max(0, Math.floor((now.getTime() - registration.submittedAt.getTime()) / DAY_MS)),
        reviewClock,
        overdue: reviewClock?.overdue ?? false,
        informationRequestedAt: registration.informationRequestedAt?.toISOString() ?? null,
        reviewRequestedAt: registration.reviewRequestedAt?.toISOString() ?? null,
        changeRequestedAt: registration.pendingChange?.requestedAt ?? null,
      };
    });
    const filtered = items.filter(
      (item) =>
        (query.overdue === undefined || item.overdue === query.overdue) &&
        (query.minAgeDays === undefined || item.ageDays >= query.minAgeDays) &&
        (query.maxAgeDays === undefined || item.ageDays <= query.maxAgeDays),
    );
    // Overdue applications first, then the longest-waiting.
    return filtered.sort((a, b) => Number(b.overdue) - Number(a.overdue));
  }

  async get(id: string): Promise<AdminRegistrationDto> {
    const registration = await this.dataSource.getRepository(RegistrationEntity).findOneBy({ id });
    if (!registration) throw RegistrationException.notFound();
    const [owner, history] = await Promise.all([
      this.dataSource.getRepository(AccountEntity).findOneByOrFail({ id: registration.ownerId }),
      this.dataSource.getRepository(RegistrationHistoryEntity).find({ where: { registrationId: id }, order: { id: 'ASC' } }),
    ]);
    const reviewClock = this.reviewClock(registration, this.clock.now());
    const actions: string[] = allowedActions(registration.status)
      .filter((action) => action !== ClientAction.Reject)
      .map((action) => action as string);
    if (registration.status === ClientStatus.Pending) actions.splice(1, 0, ReviewAction.RequestInformation);
    if (registration.pendingChange && registration.status !== ClientStatus.Terminated) actions.push(ChangeDecision.Approve, ChangeDecision.Reject);
    return {
      ...toRegistrationDto(registration),
      owner: { id: owner.id, email: owner.email, name: owner.name, organization: owner.organization, phone: owner.phone },
      reviewClock,
      overdue: reviewClock?.overdue ?? false,
      allowedActions: actions,
      history: history.map((entry) => ({
        at: entry.at.toISOString(),
        action: entry.action,
        from: entry.fromStatus,
        to: entry.toStatus,
        reason: entry.reason,
        by: { role: entry.actorRole, id: entry.actorId, email: entry.actorEmail },
      })),
    };
  }

  /** The owner's view: the same clock staff see, and the history without staff identities. */
  async ownerView(registration: RegistrationEntity): Promise<OwnRegistrationDto> {
    const history = await this.dataSource.getRepository(RegistrationHistoryEntity).find({ where: { registrationId: registration.id }, order: { id: 'ASC' } });
    return {
      ...toRegistrationDto(registration),
      reviewClock: this.reviewClock(registration, this.clock.now()),
      history: history.map((entry) => ({ at: entry.at.toISOString(), action: entry.action, from: entry.fromStatus, to: entry.toStatus, reason: entry.reason, byRole: entry.actorRole })),
    };
  }

  async act(id: string, action: ReviewAction, reason: string, actor: Actor, options: ActOptions = {}): Promise<RegistrationEntity> {
    // The notification is queued in the change's transaction: committed together or not at all.
    const notify = options.notify ?? true;
    const { registration, previous, queued } = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(RegistrationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw RegistrationException.notFound();
      const previousStatus = found.status;
      if (action === ReviewAction.RequestInformation) {
        if (found.status !== ClientStatus.Pending) {
          throw new RegistrationException(
            RegistrationErrorCode.NotAllowedInStatus,
            `Information can be requested only while a registration is pending; this one is ${found.status}.`,
          );
        }
        found.informationRequestedAt = this.clock.now();
        await manager.update(RegistrationEntity, { id }, { informationRequestedAt: found.informationRequestedAt });
        await addHistory(manager, { registrationId: id, action: 'request_information', from: found.status, to: found.status, reason, actor });
        // The request opens (or continues) the thread the owner replies in.
        await addMessage(manager, { registrationId: id, kind: MessageKind.InformationRequest, body: reason, actor });
        return { registration: found, previous: previousStatus, queued: notify && (await this.queueMail(manager, found, previousStatus, action, reason)) };
      }

      const transition = applyTransition(found.status, TRANSITION[action]);
      if (!transition.ok) throw new RegistrationException(RegistrationErrorCode.TransitionNotAllowed, transition.refusal.message);
      found.status = transition.to;
      if (transition.action === ClientAction.Approve && !found.clientId) found.clientId = options.clientId ?? mintClientId();
      await manager.update(RegistrationEntity, { id }, { status: found.status, clientId: found.clientId, updatedAt: this.clock.now() });
      await addHistory(manager, { registrationId: id, action: transition.action as HistoryAction, from: transition.from, to: transition.to, reason, actor });
      await this.events.record(manager, found, transition.from, { action: transition.action, reason, by: actor });
      return { registration: found, previous: previousStatus, queued: notify && (await this.queueMail(manager, found, previousStatus, action, reason)) };
    });
    this.metrics.statusChanged(previous, registration.status);
    if (queued) this.mail.wake();
    return registration;
  }

  /**
   * Applies or discards the owner's pending identity change. `changeId` names the version staff
   * reviewed: if the owner changed it since, nothing happens (409) and staff look again.
   */
  async decideChange(id: string, decision: ChangeDecision, changeId: string, reason: string, actor: Actor): Promise<RegistrationEntity> {
    const { registration, queued } = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(RegistrationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw RegistrationException.notFound();
      const pending = found.pendingChange;
      if (!pending) throw new RegistrationException(RegistrationErrorCode.NotAllowedInStatus, 'No change of this registration is waiting for review.');
      if (pending.id !== changeId) {
        throw new RegistrationException(RegistrationErrorCode.NotAllowedInStatus, 'The owner has modified the change since it was shown; review it again.');
      }
      if (found.status === ClientStatus.Terminated) {
        throw new RegistrationException(RegistrationErrorCode.NotAllowedInStatus, 'A terminated registration cannot be changed.');
      }
      const fields = IDENTITY_FIELDS.filter((field) => field in pending.values);
      const approve = decision === ChangeDecision.Approve;
      if (approve) for (const field of fields) Object.assign(found, { [field]: pending.values[field] });
      found.pendingChange = null;
      found.updatedAt = this.clock.now();
      await manager.save(found);
      await addHistory(manager, {
        registrationId: id,
        action: approve ? HistoryAction.ChangeApproved : HistoryAction.ChangeRejected,
        from: found.status,
        to: found.status,
        reason: `${fields.join(', ')}: ${reason}`,
        actor,
      });
      // Only now do the new values reach the client's event, and with it the authorization server.
      if (approve) await this.events.record(manager, found, found.status, { reason: `staff approved the owner's change of ${fields.join(', ')}: ${reason}`, by: actor });
      await this.mail.queue(manager, {
        to: found.contactEmail,
        subject: `${approve ? 'Change approved' : 'Change not approved'}: ${found.name}`,
        text: approve
          ? `Plan staff approved your change of ${fields.join(', ')} for ${found.kind} registration ${found.id}; it is in force now.\n\n${reason}`
          : `Plan staff did not approve your change of ${fields.join(', ')} for ${found.kind} registration ${found.id}; the previous values stay in force.\n\n${reason}`,
      });
      return { registration: found, queued: true };
    });
    if (queued) this.mail.wake();
    return registration;
  }

  private reviewClock(registration: RegistrationEntity, now: Date): ReviewClockDto | null {
    // Seed 000: "there is no defined SLA or timeline" for payers.
    if (registration.kind !== RegistrationKind.Application || registration.status !== ClientStatus.Pending) return null;
    const businessDaysWaiting = businessDaysBetween(registration.reviewClockStartedAt, now, this.config.REVIEW_TIME_ZONE);
    return {
      startedAt: registration.reviewClockStartedAt.toISOString(),
      businessDaysWaiting,
      limit: REVIEW_BUSINESS_DAYS,
      overdue: isReviewOverdue(businessDaysWaiting),
    };
  }

  /** Queues the registrant's notification of `action`, if it has one; returns whether it did. */
  private async queueMail(manager: EntityManager, registration: RegistrationEntity, previous: ClientStatus, action: ReviewAction, reason: string): Promise<boolean> {
    const message = this.mailFor(registration, previous, action, reason);
    if (message) await this.mail.queue(manager, message);
    return message !== null;
  }

  private mailFor(registration: RegistrationEntity, previous: ClientStatus, action: ReviewAction, reason: string): MailMessage | null {
    const context: MailContext = {
      registrationId: registration.id,
      kind: registration.kind,
      name: registration.name,
      clientId: registration.clientId,
      reason,
      portalUrl: this.config.REGISTRATION_PUBLIC_URL,
      portalPageUrl: portalPageUrl(this.config.PORTAL_PUBLIC_URL, `/registrations/${registration.id}`),
      authorizationUrl: this.config.AUTHORIZATION_PUBLIC_URL,
      fhirBaseUrl: `${this.config.FHIR_PUBLIC_URL}${this.config.FHIR_BASE_PATH}`,
    };
    const contact = registration.contactEmail;
    switch (action) {
      case ReviewAction.Approve:
        // Seed 000: a payer's approval goes to its payer document email address.
        return approvalMail(registration.documentEmail ?? contact, context);
      case ReviewAction.RequestInformation:
        return informationRequestMail(contact, context);
      case ReviewAction.Suspend:
        return suspensionMail(contact, context);
      case ReviewAction.Terminate:
        return terminationMail(contact, context);
      case ReviewAction.Reinstate:
        return previous === ClientStatus.Suspended ? reinstatementMail(contact, context) : null;
    }
  }
}
