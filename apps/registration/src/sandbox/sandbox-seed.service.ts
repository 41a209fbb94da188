import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClientType, type PublicJwks } from '@payer-access/client-status';
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

/**
 * The sandbox's demo payer, a SMART Backend Services client: it authenticates with private_key_jwt
 * only (no secret is issued). Its private key is published in tools/sandbox/demo-payer for the
 * sandbox alone, so anyone can sign an assertion and try the client_credentials flow.
 */
export const SANDBOX_PAYER = {
  clientId: 'SbxDemoPayer00000001',
  jwks: {
    keys: [
      {
        kty: 'EC',
        crv: 'P-384',
        kid: 'sandbox-demo-payer-2026',
        alg: 'ES384',
        use: 'sig',
        x: 'p8S1buYET5aEj-L5PSB-S0rPku1dirxQh6xLqvu4s0eUlT03hHDGT787vueL0dNl',
        y: '4867itw8jKP_GUdHHvxm8YbdzekyFkKhV0FQyzkaOwGIP7Tc-omtOyMT3J1Z0CLj',
      },
    ],
  } satisfies PublicJwks,
} as const;

/** The sample SMART app (apps/sample-smart-app): a public browser client, so it has no secret. */
export const SAMPLE_APP_CLIENT = {
  clientId: 'sample-smart-app',
  redirectPath: '/app.html',
} as const;

const SANDBOX_OWNER_EMAIL = 'sandbox-developer@sandbox.local';
const SANDBOX_PAYER_EMAIL = 'sandbox-payer@sandbox.local';
/** What the sandbox's own apps attest to (seed 001's questions), answered as a compliant app would. */
const SANDBOX_APP_ATTESTATIONS = {
  privacyPolicyCoversDataSharing: true,
  privacyPolicyRequiresExpressConsent: true,
  privacyPolicyExplainsDiscontinuation: true,
  supportsOpenIdConnectAndOAuth2: true,
  conformsToHl7Standards: true,
  storesTokensSecurely: true,
  sellsMemberData: false,
  adheresToCarinCodeOfConduct: true,
};
const SEED_LOCK_KEY = 0x5eed_0002;

/**
 * In the sandbox profile, registers and approves the seed 002 demo client and the demo payer through the same code
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
    await this.seedDemoClient();
    await this.seedDemoPayer();
  }

  private async seedDemoClient(): Promise<void> {
    const existing = await this.dataSource.getRepository(RegistrationEntity).findOneBy({ clientId: SANDBOX_CLIENT.clientId });
    if (existing) return;
    const owner = await this.sandboxOwner(SANDBOX_OWNER_EMAIL, AccountKind.Developer);
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
        attestations: SANDBOX_APP_ATTESTATIONS,
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

  private async seedDemoPayer(): Promise<void> {
    const existing = await this.dataSource.getRepository(RegistrationEntity).findOneBy({ clientId: SANDBOX_PAYER.clientId });
    if (existing) return;
    const owner = await this.sandboxOwner(SANDBOX_PAYER_EMAIL, AccountKind.Payer);
    const registration = await this.registrations.submitPayer(
      owner.id,
      {
        name: 'Sandbox demo payer',
        companyUrl: 'https://payer.sandbox.local',
        privacyPolicyUrl: 'https://payer.sandbox.local/privacy',
        redirectUris: ['https://payer.sandbox.local/callback'],
        documentEmail: SANDBOX_PAYER_EMAIL,
        contactEmail: SANDBOX_PAYER_EMAIL,
        contactPhone: '+1 000-000-0000',
        jwks: SANDBOX_PAYER.jwks,
        attestations: {
          supportsOpenIdConnectAndOAuth2: true,
          conformsToHl7Standards: true,
          storesTokensSecurely: true,
          adheresToCarinCodeOfConduct: true,
        },
      },
      SYSTEM_ACTOR,
    );
    await this.review.act(registration.id, ReviewAction.Approve, 'Sandbox demo payer (SMART Backend Services)', SYSTEM_ACTOR, {
      clientId: SANDBOX_PAYER.clientId,
      notify: false,
    });
    this.logger.log(`sandbox payer ${SANDBOX_PAYER.clientId} registered and approved (private_key_jwt; key in tools/sandbox/demo-payer)`);
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
    const owner = await this.sandboxOwner(SANDBOX_OWNER_EMAIL, AccountKind.Developer);
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
        attestations: SANDBOX_APP_ATTESTATIONS,
      },
      SYSTEM_ACTOR,
    );
    await this.review.act(registration.id, ReviewAction.Approve, 'Sample SMART app (sandbox)', SYSTEM_ACTOR, {
      clientId: SAMPLE_APP_CLIENT.clientId,
      notify: false,
    });
    this.logger.log(`sample SMART app ${SAMPLE_APP_CLIENT.clientId} registered and approved (public, redirect ${redirectUri})`);
  }

  private async sandboxOwner(email: string, kind: typeof AccountKind.Developer | typeof AccountKind.Payer): Promise<AccountEntity> {
    const found = await this.accounts.findByEmail(email);
    if (found) return found;
    // Nobody logs in as this owner; its password is random and thrown away.
    const repository = this.dataSource.getRepository(AccountEntity);
    await this.accounts.createVerified({
      email,
      password: randomBytes(24).toString('base64url'),
      name: kind === AccountKind.Payer ? 'Sandbox payer' : 'Sandbox developer',
      organization: 'payer-access sandbox',
      phone: '+1 000-000-0000',
      kind,
    });
    return repository.findOneByOrFail({ email });
  }
}
