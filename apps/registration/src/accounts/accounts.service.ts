import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { hashSecret } from '../auth/password-hasher';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { REGISTRATION_CONFIG } from '../common/tokens';
import { MailService } from '../notifications/mail.service';
import type { RegistrationConfig } from '../registration.config';
import { AccountEntity, AccountKind } from './account.entity';
import type { CreateAccountDto } from './dto/create-account.dto';
import { EmailVerificationService } from './email-verification.service';
import { SecondFactorService } from '../auth/second-factor/second-factor.service';

export const SANDBOX_ADMIN_EMAIL = 'admin@sandbox.local';
export const SANDBOX_ADMIN_PASSWORD = 'sandbox-admin';
/**
 * The sandbox admin's TOTP secret (base32), published like its password so that testers can add it
 * to an authenticator app or compute codes (apps/registration/README.md). Never used in production.
 */
export const SANDBOX_ADMIN_TOTP_SECRET = 'SANDBOXADMINTOTPSECRETPUBLISHEDA';

@Injectable()
export class AccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    private readonly verification: EmailVerificationService,
    private readonly mail: MailService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  /** Creates the first staff account from configuration (the sandbox has a published default). */
  async onApplicationBootstrap(): Promise<void> {
    const sandbox = this.config.PROFILE === 'sandbox';
    const email = this.config.ADMIN_EMAIL ?? (sandbox ? SANDBOX_ADMIN_EMAIL : undefined);
    const password = this.config.ADMIN_PASSWORD ?? (sandbox ? SANDBOX_ADMIN_PASSWORD : undefined);
    if (!email || !password) {
      this.logger.warn('ADMIN_EMAIL / ADMIN_PASSWORD unset: no staff account is created');
      return;
    }
    const created = await this.ensureStaff(email, password);
    if (sandbox && !this.config.ADMIN_PASSWORD) {
      const admin = await this.findByEmail(email);
      if (admin) await this.secondFactor.provisionKnownSecret(admin.id, SANDBOX_ADMIN_TOTP_SECRET);
      // warn: a published default password deserves to be seen (the sandbox logs warnings and errors only).
      this.logger.warn(
        `sandbox admin account: ${email} / ${SANDBOX_ADMIN_PASSWORD}, TOTP secret ${SANDBOX_ADMIN_TOTP_SECRET} (add it to an authenticator app; set ADMIN_EMAIL and ADMIN_PASSWORD to change them)`,
      );
    } else if (created) {
      this.logger.log(`created staff account ${email}`);
    }
  }

  /** A sign-up: the account starts unverified, and its verification mail is queued in the same transaction. */
  async signUp(dto: CreateAccountDto): Promise<AccountEntity> {
    const account = await this.insert({ ...dto, kind: dto.kind }, false, (manager, created) => this.verification.queue(manager, created));
    this.mail.wake();
    return account;
  }

  /** An account the plan creates itself (the sandbox's demo owners): its address needs no proof. */
  createVerified(dto: CreateAccountDto): Promise<AccountEntity> {
    return this.insert({ ...dto, kind: dto.kind }, true);
  }

  findByEmail(email: string): Promise<AccountEntity | null> {
    return this.dataSource
      .getRepository(AccountEntity)
      .createQueryBuilder('account')
      .where('lower(account.email) = lower(:email)', { email })
      .getOne();
  }

  findById(id: string): Promise<AccountEntity | null> {
    return this.dataSource.getRepository(AccountEntity).findOneBy({ id });
  }

  /** An existing account keeps its password: configuration seeds the first admin, it does not reset it. */
  async ensureStaff(email: string, password: string): Promise<boolean> {
    if (await this.findByEmail(email)) return false;
    try {
      await this.insert({ email, password, name: 'Plan staff', organization: 'Plan', phone: '+1 000-000-0000', kind: AccountKind.Staff }, true);
      return true;
    } catch (error) {
      // Another instance starting at the same time created it.
      if (error instanceof RegistrationException && error.code === RegistrationErrorCode.EmailTaken) return false;
      throw error;
    }
  }

  private async insert(
    values: Pick<AccountEntity, 'email' | 'name' | 'organization' | 'phone' | 'kind'> & { password: string },
    verified: boolean,
    alongside?: (manager: EntityManager, account: AccountEntity) => Promise<void>,
  ): Promise<AccountEntity> {
    const { password, ...rest } = values;
    const email = rest.email.toLowerCase();
    const passwordHash = await hashSecret(password);
    return this.dataSource.transaction(async (manager) => {
      // ON CONFLICT DO NOTHING rather than catching the unique violation: a failed INSERT would be
      // logged by the driver with its parameters, password hash included.
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(AccountEntity)
        .values({ ...rest, email, passwordHash, emailVerifiedAt: verified ? new Date() : null })
        .orIgnore()
        .returning('*')
        .execute();
      const row = (result.raw as Record<string, unknown>[])[0];
      if (!row) throw new RegistrationException(RegistrationErrorCode.EmailTaken, 'An account with this email already exists');
      const account = await manager.findOneBy(AccountEntity, { id: String(row.id) });
      if (!account) throw new Error('account vanished after insert');
      await alongside?.(manager, account);
      return account;
    });
  }
}
