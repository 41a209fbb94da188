import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';

/** The attempt a reservation took: given back when the password was right. */
export interface LoginAttempt {
  readonly email: string;
  readonly address: string;
}

/**
 * Slows down password guessing (OWASP Authentication Cheat Sheet, "Login Throttling"; Keycloak's
 * DefaultBruteForceProtector): failures are counted per account and per client address, in
 * PostgreSQL so that every instance shares them.
 *
 * Each attempt reserves its failure atomically before the password hash is compared (one upsert,
 * whose row lock serialises parallel attempts), and gives it back only when the password was
 * right: of many parallel guesses, no more than the limit are ever compared. Past the limit,
 * attempts are refused with 429 until the window ends, whether or not the password would have
 * been right, except for staff accounts: those are slowed, each attempt waiting a time that doubles
 * with every failure up to a ceiling, so that nobody can lock the plan's reviewers out during an
 * incident.
 */
@Injectable()
export class LoginThrottleService {
  private readonly windowSeconds: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.windowSeconds = config.LOGIN_FAILURE_WINDOW_SECONDS;
  }

  /** Takes one attempt for the account and the address, or throws 429 with the seconds to wait. */
  async reserve(email: string, address: string, staff: boolean): Promise<LoginAttempt> {
    const account = accountSubject(email);
    const wait = await this.take(account, this.config.LOGIN_MAX_FAILURES_PER_ACCOUNT, staff);
    if (wait !== undefined) throw tooMany(wait);
    const addressWait = await this.take(addressSubject(address), this.config.LOGIN_MAX_FAILURES_PER_ADDRESS, false);
    if (addressWait !== undefined) {
      await this.giveBack(account);
      throw tooMany(addressWait);
    }
    return { email, address };
  }

  /** A successful login clears the account's counter; the address keeps its other failures. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE subject = $1`, [accountSubject(attempt.email)]);
    await this.giveBack(addressSubject(attempt.address));
  }

  /**
   * Takes one second-factor attempt for the account (TOTP or recovery code), with the same limit,
   * window and staff slowing as passwords; a right code gives it back (`secondFactorSucceeded`).
   */
  async reserveSecondFactor(accountId: string, staff: boolean): Promise<void> {
    const wait = await this.take(secondFactorSubject(accountId), this.config.LOGIN_MAX_FAILURES_PER_ACCOUNT, staff);
    if (wait !== undefined) throw new RegistrationException(RegistrationErrorCode.TooManyAttempts, 'Too many wrong codes; try again later', wait);
  }

  async secondFactorSucceeded(accountId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE subject = $1`, [secondFactorSubject(accountId)]);
  }

  /** Counts one attempt on `subject` unless it is refused; returns the seconds to wait when it is. */
  private async take(subject: string, limit: number, slowedNotLocked: boolean): Promise<number | undefined> {
    const now = this.clock.now();
    const ended = `login_failure.window_started_at <= $2::timestamptz - make_interval(secs => $3)`;
    // Past the limit, a staff account may try again once its growing wait since the last attempt is over.
    const waitOver = `login_failure.last_attempt_at + make_interval(secs => least($6::float8 * power(2, least(login_failure.failures - $4, 30)), $7::float8)) <= $2::timestamptz`;
    const taken: unknown[] = await this.dataSource.query(
      `INSERT INTO login_failure (subject, failures, window_started_at, last_attempt_at) VALUES ($1, 1, $2, $2)
       ON CONFLICT (subject) DO UPDATE SET
         failures = CASE WHEN ${ended} THEN 1 ELSE login_failure.failures + 1 END,
         window_started_at = CASE WHEN ${ended} THEN $2 ELSE login_failure.window_started_at END,
         last_attempt_at = $2
       WHERE ${ended} OR login_failure.failures < $4 OR ($5 AND ${waitOver})
       RETURNING failures`,
      [subject, now, this.windowSeconds, limit, slowedNotLocked, this.config.STAFF_LOGIN_DELAY_SECONDS, this.config.STAFF_LOGIN_MAX_DELAY_SECONDS],
    );
    if (taken.length > 0) return undefined;
    const [row]: { failures: number; window_started_at: Date; last_attempt_at: Date }[] = await this.dataSource.query(
      `SELECT failures, window_started_at, last_attempt_at FROM login_failure WHERE subject = $1`,
      [subject],
    );
    if (!row) return 1;
    const endsAt = slowedNotLocked
      ? new Date(row.last_attempt_at).getTime() + this.staffWaitSeconds(row.failures, limit) * 1000
      : new Date(row.window_started_at).getTime() + this.windowSeconds * 1000;
    return Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000));
  }

  private staffWaitSeconds(failures: number, limit: number): number {
    // The exponent is capped so that a long flood cannot overflow the doubling.
    return Math.min(this.config.STAFF_LOGIN_DELAY_SECONDS * 2 ** Math.min(failures - limit, 30), this.config.STAFF_LOGIN_MAX_DELAY_SECONDS);
  }

  private async giveBack(subject: string): Promise<void> {
    await this.dataSource.query(`UPDATE login_failure SET failures = failures - 1 WHERE subject = $1 AND failures > 0`, [subject]);
  }
}

function tooMany(retryAfterSeconds: number): RegistrationException {
  return new RegistrationException(RegistrationErrorCode.TooManyAttempts, 'Too many failed logins; try again later', retryAfterSeconds);
}

function accountSubject(email: string): string {
  return `account:${email.toLowerCase()}`;
}

function secondFactorSubject(accountId: string): string {
  return `second-factor:${accountId}`;
}

function addressSubject(address: string): string {
  return `address:${address}`;
}
