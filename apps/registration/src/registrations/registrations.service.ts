import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClientStatus, ClientType, DEFAULT_DATA_ACCESS_TYPE, jwksUriProblem, readPublicJwks, RegistrationKind, type PublicJwks } from '@payer-access/client-status';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../common/tokens';
import { MailService } from '../notifications/mail.service';
import type { RegistrationConfig } from '../registration.config';
import type { Actor } from './actor';
import { ClientEvents } from './client-events';
import { RegistrationMetrics } from './registration.metrics';
import { restartClockOnAnswer } from './review-clock';
import type { CreateApplicationDto } from './dto/create-application.dto';
import type { CreatePayerDto } from './dto/create-payer.dto';
import type { ReviewRequestDto } from './dto/review-request.dto';
import type { UpdateRegistrationDto } from './dto/update-registration.dto';
import { redirectUriProblem } from './dto/validators';
import { addHistory } from './history';
import { HistoryAction } from './registration-event.entity';
import { IDENTITY_FIELDS, type IdentityField, type IdentityValues, RegistrationEntity } from './registration.entity';

const APPLICATION_ONLY: (keyof UpdateRegistrationDto)[] = ['companyName', 'termsUrl', 'clientType', 'dataAccessType'];
const PAYER_ONLY: (keyof UpdateRegistrationDto)[] = ['documentEmail', 'jwks', 'jwksUri'];
const APPLICATION_ONLY_ANSWERS = ['privacyPolicyCoversDataSharing', 'privacyPolicyRequiresExpressConsent', 'privacyPolicyExplainsDiscontinuation', 'sellsMemberData'];

/**
 * Statuses in which a client exists for members: a stolen portal account must not be able to send
 * its authorization codes elsewhere or rename it, so identity changes wait for staff.
 */
const REVIEWED_STATUSES: readonly ClientStatus[] = [ClientStatus.Approved, ClientStatus.Suspended];

const isIdentityField = (key: string): key is IdentityField => (IDENTITY_FIELDS as readonly string[]).includes(key);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The owner's side of registrations: submit, list, read, update, ask for a review. */
@Injectable()
export class RegistrationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: ClientEvents,
    private readonly mail: MailService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    private readonly metrics: RegistrationMetrics,
  ) {}

  async submitApplication(ownerId: string, dto: CreateApplicationDto, actor: Actor): Promise<RegistrationEntity> {
    return this.submit(
      {
        kind: RegistrationKind.Application,
        ownerId,
        name: dto.name,
        companyName: dto.companyName,
        companyUrl: dto.companyUrl,
        privacyPolicyUrl: dto.privacyPolicyUrl,
        termsUrl: dto.termsUrl,
        logoUrl: dto.logoUrl ?? null,
        redirectUris: dto.redirectUris,
        clientType: dto.clientType,
        dataAccessType: dto.dataAccessType ?? DEFAULT_DATA_ACCESS_TYPE,
        contactEmail: dto.contactEmail.toLowerCase(),
        contactPhone: dto.contactPhone,
        documentEmail: null,
        attestations: { ...dto.attestations },
      },
      actor,
    );
  }

  async submitPayer(ownerId: string, dto: CreatePayerDto, actor: Actor): Promise<RegistrationEntity> {
    const problems = this.keyProblems(dto);
    if (problems.length > 0) throw new RegistrationException(RegistrationErrorCode.InvalidRequest, problems);
    return this.submit(
      {
        kind: RegistrationKind.Payer,
        ownerId,
        name: dto.name,
        companyName: dto.name,
        companyUrl: dto.companyUrl,
        privacyPolicyUrl: dto.privacyPolicyUrl,
        termsUrl: null,
        logoUrl: dto.logoUrl ?? null,
        redirectUris: dto.redirectUris,
        clientType: ClientType.Confidential,
        contactEmail: dto.contactEmail.toLowerCase(),
        contactPhone: dto.contactPhone,
        documentEmail: dto.documentEmail.toLowerCase(),
        attestations: { ...dto.attestations },
        jwks: dto.jwks ? publicKeys(dto.jwks) : null,
        jwksUri: dto.jwksUri ?? null,
      },
      actor,
    );
  }

  listOwn(ownerId: string): Promise<RegistrationEntity[]> {
    return this.dataSource.getRepository(RegistrationEntity).find({ where: { ownerId }, order: { submittedAt: 'DESC' } });
  }

  /** Someone else's registration is "not found", never "forbidden": ids are not confirmed to strangers. */
  async getOwn(ownerId: string, id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<RegistrationEntity> {
    const registration = await manager.findOne(RegistrationEntity, {
      where: { id, ownerId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!registration) throw RegistrationException.notFound();
    return registration;
  }

  async update(ownerId: string, id: string, dto: UpdateRegistrationDto, actor: Actor): Promise<RegistrationEntity> {
    const result = await this.dataSource.transaction(async (manager) => {
      const registration = await this.getOwn(ownerId, id, manager, true);
      if (registration.status === ClientStatus.Terminated) {
        throw new RegistrationException(
          RegistrationErrorCode.NotAllowedInStatus,
          'A terminated registration cannot be changed; register again to regain access.',
        );
      }
      if (dto.clientType !== undefined && dto.clientType !== registration.clientType && registration.clientId) {
        throw new RegistrationException(
          RegistrationErrorCode.NotAllowedInStatus,
          'The client type cannot change once credentials have been issued; register a new application instead.',
        );
      }
      const problems = this.fieldProblems(registration, dto);
      if (problems.length > 0) throw new RegistrationException(RegistrationErrorCode.InvalidRequest, problems);

      const changed: string[] = [];
      const reviewed = REVIEWED_STATUSES.includes(registration.status);
      const held: IdentityValues = { ...(registration.pendingChange?.values ?? {}) };
      let heldTouched = false;
      const assign = <K extends keyof RegistrationEntity>(key: K, value: RegistrationEntity[K] | undefined) => {
        if (value === undefined) return;
        if (reviewed && isIdentityField(key)) {
          // Asking for the value in force again withdraws that part of the pending change.
          if (same(registration[key], value)) {
            if (key in held) {
              delete held[key];
              heldTouched = true;
            }
          } else if (!same(held[key], value)) {
            (held as Record<string, unknown>)[key] = value;
            heldTouched = true;
          }
          return;
        }
        if (same(registration[key], value)) return;
        registration[key] = value;
        changed.push(key);
      };
      assign('name', dto.name);
      assign('companyName', registration.kind === RegistrationKind.Payer ? dto.name : dto.companyName);
      assign('companyUrl', dto.companyUrl);
      assign('privacyPolicyUrl', dto.privacyPolicyUrl);
      assign('termsUrl', dto.termsUrl);
      assign('logoUrl', dto.logoUrl);
      assign('redirectUris', dto.redirectUris);
      assign('clientType', dto.clientType);
      assign('dataAccessType', dto.dataAccessType);
      // A payer names its keys in one form at a time: the new form replaces the other.
      if (dto.jwks !== undefined) {
        assign('jwks', publicKeys(dto.jwks));
        assign('jwksUri', null);
      } else if (dto.jwksUri !== undefined) {
        assign('jwksUri', dto.jwksUri);
        assign('jwks', null);
      }
      assign('documentEmail', dto.documentEmail?.toLowerCase());
      assign('contactEmail', dto.contactEmail?.toLowerCase());
      assign('contactPhone', dto.contactPhone);
      if (dto.attestations) assign('attestations', { ...registration.attestations, ...dto.attestations });
      if (changed.length === 0 && !heldTouched) return { registration, changed, changeRequested: false };

      const now = this.clock.now();
      if (heldTouched) {
        const fields = Object.keys(held);
        registration.pendingChange =
          fields.length === 0 ? null : { id: randomUUID(), requestedAt: now.toISOString(), requestedBy: actor.accountId, values: held };
        await addHistory(manager, {
          registrationId: registration.id,
          action: HistoryAction.ChangeRequested,
          from: registration.status,
          to: registration.status,
          reason: fields.length === 0 ? 'withdrew the pending change' : `asked to change ${fields.join(', ')}`,
          actor,
        });
        if (fields.length > 0 && this.config.ADMIN_EMAIL) {
          await this.mail.queue(manager, {
            to: this.config.ADMIN_EMAIL,
            subject: `Change to review: ${registration.name} (${registration.status})`,
            text:
              `The owner of ${registration.kind} registration ${registration.id} ("${registration.name}") asks to change ${fields.join(', ')}.\n` +
              'The values in force stay in force until the change is approved in the review portal.',
          });
        }
      }
      restartClockOnAnswer(registration, now);
      registration.updatedAt = now;
      await manager.save(registration);
      if (changed.length > 0) {
        await addHistory(manager, {
          registrationId: registration.id,
          action: HistoryAction.Updated,
          from: registration.status,
          to: registration.status,
          reason: `changed ${changed.join(', ')}`,
          actor,
        });
        await this.events.record(manager, registration, registration.status, { reason: `owner changed ${changed.join(', ')}`, by: actor });
      }
      return { registration, changed, changeRequested: heldTouched && registration.pendingChange !== null };
    });
    if (result.changeRequested && this.config.ADMIN_EMAIL) this.mail.wake();
    return result.registration;
  }

  /** Seeds 000/001: a suspended or terminated registrant asks the plan, through the portal, to review the status. */
  async requestReview(ownerId: string, id: string, message: string, actor: Actor): Promise<ReviewRequestDto> {
    const registration = await this.dataSource.transaction(async (manager) => {
      const found = await this.getOwn(ownerId, id, manager, true);
      if (found.status !== ClientStatus.Suspended && found.status !== ClientStatus.Terminated) {
        throw new RegistrationException(
          RegistrationErrorCode.NotAllowedInStatus,
          `Only a suspended or terminated registration can be reviewed; this one is ${found.status}.`,
        );
      }
      found.reviewRequestedAt = this.clock.now();
      await manager.update(RegistrationEntity, { id: found.id }, { reviewRequestedAt: found.reviewRequestedAt });
      await addHistory(manager, { registrationId: found.id, action: HistoryAction.ReviewRequested, from: found.status, to: found.status, reason: message, actor });
      // Staff's notice is queued with the request: committed together or not at all.
      if (this.config.ADMIN_EMAIL) {
        await this.mail.queue(manager, {
          to: this.config.ADMIN_EMAIL,
          subject: `Review requested: ${found.name} (${found.status})`,
          text: `The owner of ${found.kind} registration ${found.id} ("${found.name}") asks for a review of its ${found.status} status:\n\n${message}`,
        });
      }
      return found;
    });
    if (this.config.ADMIN_EMAIL) this.mail.wake();
    const terminated = registration.status === ClientStatus.Terminated;
    return {
      registrationId: registration.id,
      status: registration.status,
      requestedAt: (registration.reviewRequestedAt as Date).toISOString(),
      note: terminated
        ? 'Plan staff will review the termination. A terminated registration stays terminated: to regain access, register again (a new registration and client_id).'
        : 'Plan staff will review the suspension and may reinstate the registration.',
    };
  }

  private async submit(values: Partial<RegistrationEntity>, actor: Actor): Promise<RegistrationEntity> {
    const submitted = await this.dataSource.transaction(async (manager) => {
      const owner = await manager.findOneBy(AccountEntity, { id: values.ownerId });
      if (!owner) throw RegistrationException.notFound('Account');
      if (!owner.emailVerifiedAt) {
        throw new RegistrationException(
          RegistrationErrorCode.EmailNotVerified,
          'Confirm your email address before submitting a registration: follow the link mailed at sign-up, or ask for a new one (POST /v1/accounts/me/verification-mail)',
        );
      }
      const now = this.clock.now();
      const registration = manager.create(RegistrationEntity, {
        ...values,
        status: ClientStatus.Pending,
        reviewClockStartedAt: now,
        submittedAt: now,
        updatedAt: now,
      });
      await manager.save(registration);
      await addHistory(manager, { registrationId: registration.id, action: HistoryAction.Submitted, from: null, to: ClientStatus.Pending, actor });
      return registration;
    });
    this.metrics.statusChanged(null, submitted.status);
    return submitted;
  }

  /** The key forms are exclusive; a plain-http key URL is for the sandbox's own machine only. */
  private keyProblems(dto: { jwks?: PublicJwks; jwksUri?: string }): string[] {
    const problems: string[] = [];
    if (dto.jwks !== undefined && dto.jwksUri !== undefined) problems.push('give jwks or jwksUri, not both');
    if (dto.jwksUri !== undefined) {
      const problem = jwksUriProblem(dto.jwksUri, this.config.PROFILE === 'sandbox');
      if (problem) problems.push(`jwksUri ${problem}`);
    }
    return problems;
  }

  private fieldProblems(registration: RegistrationEntity, dto: UpdateRegistrationDto): string[] {
    const problems: string[] = [];
    const present = (keys: string[]) => keys.filter((key) => (dto as Record<string, unknown>)[key] !== undefined);
    if (registration.kind === RegistrationKind.Payer) {
      for (const key of present(APPLICATION_ONLY)) problems.push(`${key} applies to application registrations only`);
      for (const key of APPLICATION_ONLY_ANSWERS) {
        if (dto.attestations && (dto.attestations as Record<string, unknown>)[key] !== undefined) {
          problems.push(`attestations.${key} applies to application registrations only`);
        }
      }
    } else {
      for (const key of present(PAYER_ONLY)) problems.push(`${key} applies to payer registrations only`);
    }
    problems.push(...this.keyProblems(dto));
    const clientType = dto.clientType ?? registration.clientType;
    const uris = dto.redirectUris ?? (dto.clientType ? registration.redirectUris : []);
    uris.forEach((uri, index) => {
      const problem = redirectUriProblem(uri, clientType);
      if (problem === 'private_use_confidential') problems.push(`redirectUris.${index} may use a private-use scheme only for a public (native) client`);
      else if (problem) problems.push(`redirectUris.${index} is not a valid redirect URI`);
    });
    return problems;
  }
}

/** The public members only, as the validation already checked them. */
function publicKeys(jwks: PublicJwks): PublicJwks {
  const read = readPublicJwks(jwks);
  if (!read.ok) throw new RegistrationException(RegistrationErrorCode.InvalidRequest, [...read.problems]);
  return read.jwks;
}
