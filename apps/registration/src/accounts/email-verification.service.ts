import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../common/tokens';
import { verificationMail } from '../notifications/mail-templates';
import { MailService } from '../notifications/mail.service';
import type { RegistrationConfig } from '../registration.config';
import type { AccountEntity } from './account.entity';

/**
 * Proof that a sign-up owns its email address: a 256-bit random token, mailed through the mail
 * outbox in the transaction that creates the account (or asks for a new mail), stored only as its
 * SHA-256, valid once and for EMAIL_VERIFICATION_TTL_SECONDS. Until it is used the account may log
 * in but not submit a registration (RegistrationsService).
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly mail: MailService,
  ) {}

  /** Queues the verification mail in `manager`'s transaction; the caller wakes the mail relay after commit. */
  async queue(manager: EntityManager, account: Pick<AccountEntity, 'id' | 'email'>): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await manager.query(`INSERT INTO email_verification (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
      hashToken(token),
      account.id,
      now,
      new Date(now.getTime() + this.config.EMAIL_VERIFICATION_TTL_SECONDS * 1000),
    ]);
    await this.mail.queue(
      manager,
      verificationMail(account.email, {
        token,
        portalUrl: this.config.REGISTRATION_PUBLIC_URL,
        portalPublicUrl: this.config.PORTAL_PUBLIC_URL,
        validHours: Math.round(this.config.EMAIL_VERIFICATION_TTL_SECONDS / 3600),
      }),
    );
  }

  /**
   * Sends a new link, unless the address is verified (409) or the last mail went out less than
   * VERIFICATION_MAIL_INTERVAL_SECONDS ago (429 with the wait). The account row is locked, so two
   * parallel requests send one mail.
   */
  async resend(accountId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [account]: { id: string; email: string; email_verified_at: Date | null }[] = await manager.query(
        `SELECT id, email, email_verified_at FROM account WHERE id = $1 FOR UPDATE`,
        [accountId],
      );
      if (!account) throw RegistrationException.notFound('Account');
      if (account.email_verified_at) throw new RegistrationException(RegistrationErrorCode.EmailAlreadyVerified, 'The email address is already verified');
      const [last]: { created_at: Date }[] = await manager.query(`SELECT max(created_at) AS created_at FROM email_verification WHERE account_id = $1`, [accountId]);
      const nextAllowed = last?.created_at ? new Date(last.created_at).getTime() + this.config.VERIFICATION_MAIL_INTERVAL_SECONDS * 1000 : 0;
      const wait = Math.ceil((nextAllowed - this.clock.now().getTime()) / 1000);
      if (wait > 0) throw new RegistrationException(RegistrationErrorCode.TooManyAttempts, 'A verification mail was sent a moment ago; wait before asking for another', wait);
      await this.queue(manager, account);
    });
    this.mail.wake();
  }

  /** Marks the token's account verified and spends every link it had; an unknown, used or expired token is a 400. */
  async verify(token: string): Promise<{ email: string }> {
    return this.dataSource.transaction(async (manager) => {
      // DELETE … RETURNING takes the row once: of two parallel uses, one finds it.
      const [deleted]: [{ account_id: string; expires_at: Date }[], number] = await manager.query(
        `DELETE FROM email_verification WHERE token_hash = $1 RETURNING account_id, expires_at`,
        [hashToken(token)],
      );
      const found = deleted[0];
      if (!found || new Date(found.expires_at).getTime() <= this.clock.now().getTime()) {
        throw new RegistrationException(RegistrationErrorCode.InvalidVerificationToken, 'The verification link is not valid: it was already used, has expired, or was copied incompletely');
      }
      const [updated]: [{ email: string }[], number] = await manager.query(
        `UPDATE account SET email_verified_at = coalesce(email_verified_at, $2) WHERE id = $1 RETURNING email`,
        [found.account_id, this.clock.now()],
      );
      await manager.query(`DELETE FROM email_verification WHERE account_id = $1`, [found.account_id]);
      return { email: updated[0].email };
    });
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
