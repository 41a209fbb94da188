import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hashSecret } from '../auth/password-hasher';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';
import { AccountEntity, AccountKind } from './account.entity';
import type { CreateAccountDto } from './dto/create-account.dto';

export const SANDBOX_ADMIN_EMAIL = 'admin@sandbox.local';
export const SANDBOX_ADMIN_PASSWORD = 'sandbox-admin';

@Injectable()
export class AccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
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
      // warn: a published default password deserves to be seen (the sandbox logs warnings and errors only).
      this.logger.warn(`sandbox admin account: ${email} / ${SANDBOX_ADMIN_PASSWORD} (set ADMIN_EMAIL and ADMIN_PASSWORD to change it)`);
    } else if (created) {
      this.logger.log(`created staff account ${email}`);
    }
  }

  async create(dto: CreateAccountDto): Promise<AccountEntity> {
    return this.insert({ ...dto, kind: dto.kind });
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
      await this.insert({ email, password, name: 'Plan staff', organization: 'Plan', phone: '+1 000-000-0000', kind: AccountKind.Staff });
      return true;
    } catch (error) {
      // Another instance starting at the same time created it.
      if (error instanceof RegistrationException && error.code === RegistrationErrorCode.EmailTaken) return false;
      throw error;
    }
  }

  private async insert(values: Omit<AccountEntity, 'id' | 'createdAt' | 'passwordHash'> & { password: string }): Promise<AccountEntity> {
    const { password, ...rest } = values;
    const email = rest.email.toLowerCase();
    // ON CONFLICT DO NOTHING rather than catching the unique violation: a failed INSERT would be
    // logged by the driver with its parameters, password hash included.
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(AccountEntity)
      .values({ ...rest, email, passwordHash: await hashSecret(password) })
      .orIgnore()
      .returning('*')
      .execute();
    const row = (result.raw as Record<string, unknown>[])[0];
    if (!row) throw new RegistrationException(RegistrationErrorCode.EmailTaken, 'An account with this email already exists');
    const account = await this.findById(String(row.id));
    if (!account) throw new Error('account vanished after insert');
    return account;
  }
}
