import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClientType } from '@payer-access/client-status';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountEntity, AccountKind } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { REGISTRATION_CONFIG } from '../common/tokens';
import { CredentialsService } from '../credentials/credentials.service';
import type { RegistrationConfig } from '../registration.config';
import { SYSTEM_ACTOR } from '../registrations/actor';
import { HistoryAction } from '../registrations/registration-event.entity';
import { RegistrationEntity } from '../registrations/registration.entity';
import { RegistrationsService } from '../registrations/registrations.service';
import { ReviewAction, ReviewService } from '../review/review.service';

/** The demo client of seed 002, which its walkthrough uses verbatim. Published in the seed; sandbox only. */
export const SANDBOX_CLIENT = {
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  clientSecret: 'SR3SrK6U1WpGOdjWS2LY',
  redirectUri: 'https://oidcdebugger.com/debug',
} as const;

/** The sample SMART app (apps/sample-smart-app): a public browser client, so it has no secret. */
export const SAMPLE_APP_CLIENT = {
  clientId: 'sample-smart-app',
  redirectPath: '/app.html',
} as const;

const SANDBOX_OWNER_EMAIL = 'sandbox-developer@sandbox.local';
const SEED_LOCK_KEY = 0x5eed_0002;
const SANDBOX_ATTESTATIONS = {
  privacyPolicyCoversDataSharing: true,
  privacyPolicyRequiresExpressConsent: true,
  privacyPolicyExplainsDiscontinuation: true,
  supportsOpenIdConnectAndOAuth2: true,
  conformsToHl7Standards: true,
  storesTokensSecurely: true,
  sellsMemberData: false,
  adheresToCarinCodeOfConduct: true,
};

/**
 * In the sandbox profile, registers and approves the seed 002 demo client through the same code
 * path as any registration (submit → approve → issue secret), so it reaches the other services as
 * ordinary `registration.client.changed.v1` events. Idempotent across restarts.
 */
@Injectable()
export class SandboxSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SandboxSeed');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    private readonly accounts: AccountsService,
    private readonly registrations: RegistrationsService,
    private readonly review: ReviewService,
    private readonly credentials: CredentialsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.PROFILE !== 'sandbox') return;
    // Two sandbox instances on one database must not both seed (the second would hit the unique client_id).
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [SEED_LOCK_KEY]);
      await this.seed();
      if (this.config.SANDBOX_SAMPLE_APP_URL) await this.seedSampleApp(this.config.SANDBOX_SAMPLE_APP_URL);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK_KEY]).catch(() => undefined);
      await lock.release();
    }
  }

  private async seed(): Promise<void> {
    const existing = await this.dataSource.getRepository(RegistrationEntity).findOneBy({ clientId: SANDBOX_CLIENT.clientId });
    if (existing) return;
    const owner = await this.sandboxOwner();
    const registration = await this.registrations.submitApplication(
      owner.id,
      {
        name: 'Sandbox demo app',
        companyName: 'payer-access sandbox',
        companyUrl: 'https://oidcdebugger.com',
        privacyPolicyUrl: 'https://oidcdebugger.com/privacy',
        termsUrl: 'https://oidcdebugger.com/terms',
        redirectUris: [SANDBOX_CLIENT.redirectUri],
        clientType: ClientType.Confidential,
        contactEmail: SANDBOX_OWNER_EMAIL,
        contactPhone: '+1 000-000-0000',
        attestations: SANDBOX_ATTESTATIONS,
      },
      SYSTEM_ACTOR,
    );
    await this.review.act(registration.id, ReviewAction.Approve, 'Sandbox demo client (seed 002)', SYSTEM_ACTOR, {
      clientId: SANDBOX_CLIENT.clientId,
      notify: false,
    });
    await this.dataSource.transaction(async (manager) => {
      const approved = await manager.findOneOrFail(RegistrationEntity, { where: { id: registration.id }, lock: { mode: 'pessimistic_write' } });
      await this.credentials.issueSecret(manager, approved, HistoryAction.SecretIssued, SYSTEM_ACTOR, SANDBOX_CLIENT.clientSecret);
    });
    this.logger.log(`sandbox client ${SANDBOX_CLIENT.clientId} registered and approved (redirect ${SANDBOX_CLIENT.redirectUri})`);
  }

  /**
   * The sample SMART app, through the same review path as the demo client. A restart on another
   * origin keeps the first registration: an approved client's redirect change waits for staff.
   */
  private async seedSampleApp(origin: string): Promise<void> {
    const existing = await this.dataSource.getRepository(RegistrationEntity).findOneBy({ clientId: SAMPLE_APP_CLIENT.clientId });
    if (existing) return;
    const base = new URL(origin).origin;
    const redirectUri = `${base}${SAMPLE_APP_CLIENT.redirectPath}`;
    const owner = await this.sandboxOwner();
    const registration = await this.registrations.submitApplication(
      owner.id,
      {
        name: 'Sample SMART app',
        companyName: 'payer-access sandbox',
        companyUrl: base,
        privacyPolicyUrl: `${base}/privacy`,
        termsUrl: `${base}/terms`,
        redirectUris: [redirectUri],
        clientType: ClientType.Public,
        contactEmail: SANDBOX_OWNER_EMAIL,
        contactPhone: '+1 000-000-0000',
        attestations: SANDBOX_ATTESTATIONS,
      },
      SYSTEM_ACTOR,
    );
    await this.review.act(registration.id, ReviewAction.Approve, 'Sample SMART app (sandbox)', SYSTEM_ACTOR, {
      clientId: SAMPLE_APP_CLIENT.clientId,
      notify: false,
    });
    this.logger.log(`sample SMART app ${SAMPLE_APP_CLIENT.clientId} registered and approved (public, redirect ${redirectUri})`);
  }

  private async sandboxOwner(): Promise<AccountEntity> {
    const found = await this.accounts.findByEmail(SANDBOX_OWNER_EMAIL);
    if (found) return found;
    // Nobody logs in as this owner; its password is random and thrown away.
    const repository = this.dataSource.getRepository(AccountEntity);
    await this.accounts.create({
      email: SANDBOX_OWNER_EMAIL,
      password: randomBytes(24).toString('base64url'),
      name: 'Sandbox developer',
      organization: 'payer-access sandbox',
      phone: '+1 000-000-0000',
      kind: AccountKind.Developer,
    });
    return repository.findOneByOrFail({ email: SANDBOX_OWNER_EMAIL });
  }
}
