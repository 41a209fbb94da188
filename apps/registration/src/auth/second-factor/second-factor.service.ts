import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SecretSealer } from '@payer-access/events';
import { hkdfSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type AccountEntity, AccountKind } from '../../accounts/account.entity';
import { RegistrationErrorCode, RegistrationException } from '../../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../../common/tokens';
import type { RegistrationConfig } from '../../registration.config';
import { LoginThrottleService } from '../login-throttle.service';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes';
import { matchingStep, newTotpSecret, otpauthUri } from './totp';

export interface Enrolment {
  secret: string;
  otpauthUri: string;
}

/** What the caller proves the second factor with: a code of the authenticator, or one recovery code. */
export interface SecondFactorProof {
  code?: string;
  recoveryCode?: string;
}

const ISSUER = 'payer-access portal';

/**
 * The portal accounts' second factor: TOTP (RFC 6238) with ten single-use recovery codes.
 *
 * - The TOTP secret is stored sealed (JWE `dir` + A256GCM, the platform's `SecretSealer`, bound to
 *   the account id), never in the clear.
 * - A code is accepted once: the step it belongs to must be later than the last accepted one,
 *   checked and recorded by one conditional UPDATE, so two parallel uses of one code let one in.
 * - A recovery code is spent by one conditional UPDATE (`used_at IS NULL`) for the same reason.
 * - Wrong codes are throttled like passwords (LoginThrottleService, per account; staff slowed).
 */
@Injectable()
export class SecondFactorService {
  private readonly sealer: SecretSealer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) config: RegistrationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly throttle: LoginThrottleService,
  ) {
    this.sealer = SecretSealer.fromConfig(secondFactorKey(config), config.PROFILE, 'SECOND_FACTOR_ENCRYPTION_KEY');
  }

  /** A new secret for the account to scan; replaces an unfinished enrolment, refuses when one is active. */
  async startEnrolment(account: AccountEntity): Promise<Enrolment> {
    const secret = newTotpSecret();
    const sealed = await this.sealer.seal(account.id, secret);
    // TypeORM answers an UPDATE on PostgreSQL as [rows, count of rows changed].
    const [, updated]: [unknown[], number] = await this.dataSource.query(
      `UPDATE account SET totp_secret = $2, totp_last_step = NULL WHERE id = $1 AND totp_enabled_at IS NULL RETURNING id`,
      [account.id, sealed],
    );
    if (updated === 0) throw alreadyEnabled();
    return { secret, otpauthUri: otpauthUri(secret, ISSUER, account.email) };
  }

  /** Turns the second factor on with the first code from the app; returns the recovery codes, shown once. */
  async confirmEnrolment(account: AccountEntity, code: string): Promise<string[]> {
    await this.throttle.reserveSecondFactor(account.id, account.kind === AccountKind.Staff);
    const secret = await this.secretOf(account.id, false);
    const step = secret === undefined ? undefined : matchingStep(secret, code, this.clock.now());
    if (step === undefined) throw wrongCode();
    const codes = newRecoveryCodes();
    await this.dataSource.transaction(async (manager) => {
      const [, enabled]: [unknown[], number] = await manager.query(
        `UPDATE account SET totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1 AND totp_enabled_at IS NULL RETURNING id`,
        [account.id, this.clock.now(), step],
      );
      if (enabled === 0) throw alreadyEnabled();
      await manager.query(`DELETE FROM recovery_code WHERE account_id = $1`, [account.id]);
      await manager.query(`INSERT INTO recovery_code (account_id, code_hash) SELECT $1, unnest($2::text[])`, [account.id, codes.map(recoveryCodeHash)]);
    });
    await this.throttle.secondFactorSucceeded(account.id);
    return codes;
  }

  /** Accepts a fresh TOTP code or an unused recovery code (spending it), or throws 401 / 429. */
  async verify(account: AccountEntity, proof: SecondFactorProof): Promise<void> {
    await this.throttle.reserveSecondFactor(account.id, account.kind === AccountKind.Staff);
    const accepted = proof.recoveryCode !== undefined ? await this.spendRecoveryCode(account.id, proof.recoveryCode) : await this.acceptCode(account.id, proof.code ?? '');
    if (!accepted) throw wrongCode();
    await this.throttle.secondFactorSucceeded(account.id);
  }

  /** How many recovery codes the account has left. */
  async recoveryCodesLeft(accountId: string): Promise<number> {
    const [row]: { count: string }[] = await this.dataSource.query(`SELECT count(*) AS count FROM recovery_code WHERE account_id = $1 AND used_at IS NULL`, [accountId]);
    return Number(row?.count ?? 0);
  }

  /**
   * Sandbox only: gives an account a known secret, enabled, so that testers can compute its codes
   * (the sandbox admin's, published like its password). Leaves an account that has one alone.
   */
  async provisionKnownSecret(accountId: string, secret: string): Promise<void> {
    const sealed = await this.sealer.seal(accountId, secret);
    await this.dataSource.query(`UPDATE account SET totp_secret = $2, totp_enabled_at = $3 WHERE id = $1 AND totp_enabled_at IS NULL`, [accountId, sealed, this.clock.now()]);
  }

  private async acceptCode(accountId: string, code: string): Promise<boolean> {
    const secret = await this.secretOf(accountId, true);
    const step = secret === undefined ? undefined : matchingStep(secret, code, this.clock.now());
    if (step === undefined) return false;
    // Check and record in one statement: of two parallel uses of one code, one moves the step.
    const [, moved]: [unknown[], number] = await this.dataSource.query(
      `UPDATE account SET totp_last_step = $2 WHERE id = $1 AND totp_enabled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
      [accountId, step],
    );
    return moved === 1;
  }

  private async spendRecoveryCode(accountId: string, code: string): Promise<boolean> {
    const [, spent]: [unknown[], number] = await this.dataSource.query(
      `UPDATE recovery_code SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING account_id`,
      [accountId, recoveryCodeHash(code), this.clock.now()],
    );
    return spent === 1;
  }

  private async secretOf(accountId: string, enabled: boolean): Promise<string | undefined> {
    const [row]: { totp_secret: string | null }[] = await this.dataSource.query(
      `SELECT totp_secret FROM account WHERE id = $1 AND (totp_enabled_at IS NOT NULL) = $2`,
      [accountId, enabled],
    );
    if (!row?.totp_secret) return undefined;
    return this.sealer.unseal(accountId, row.totp_secret);
  }
}

/**
 * The key sealing TOTP secrets: SECOND_FACTOR_ENCRYPTION_KEY, else one derived from the client
 * secret sealing key with its own HKDF label (so neither key can stand in for the other), else
 * (sandbox) the sealer's public sandbox key.
 */
export function secondFactorKey(config: Pick<RegistrationConfig, 'SECOND_FACTOR_ENCRYPTION_KEY' | 'CLIENT_SECRET_SEALING_KEY'>): string | undefined {
  if (config.SECOND_FACTOR_ENCRYPTION_KEY) return config.SECOND_FACTOR_ENCRYPTION_KEY;
  if (!config.CLIENT_SECRET_SEALING_KEY) return undefined;
  return Buffer.from(hkdfSync('sha256', Buffer.from(config.CLIENT_SECRET_SEALING_KEY, 'base64url'), '', 'payer-access account second factor', 32)).toString('base64url');
}

function wrongCode(): RegistrationException {
  return new RegistrationException(RegistrationErrorCode.InvalidSecondFactor, 'The code is wrong, expired or already used');
}

function alreadyEnabled(): RegistrationException {
  return new RegistrationException(RegistrationErrorCode.SecondFactorAlreadyEnabled, 'The second factor is already enabled for this account');
}
