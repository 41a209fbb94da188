import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';

/**
 * Slows down password guessing (OWASP Authentication Cheat Sheet, "Login Throttling"): after too
 * many failures in a window, per account and per client address, further attempts are refused
 * with 429 until the window ends, whether or not the password would have been right. Counters
 * live in PostgreSQL so that every instance of the service shares them.
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

  /** Throws 429 when the account or the address has used up its failures. */
  async assertAllowed(email: string, address: string): Promise<void> {
    const rows: { subject: string; failures: number; window_started_at: Date }[] = await this.dataSource.query(
      `SELECT subject, failures, window_started_at FROM login_failure WHERE subject = ANY($1)`,
      [[accountSubject(email), addressSubject(address)]],
    );
    const now = this.clock.now().getTime();
    let retryAfter = 0;
    for (const row of rows) {
      const endsAt = new Date(row.window_started_at).getTime() + this.windowSeconds * 1000;
      const limit = row.subject.startsWith('account:') ? this.config.LOGIN_MAX_FAILURES_PER_ACCOUNT : this.config.LOGIN_MAX_FAILURES_PER_ADDRESS;
      if (endsAt > now && row.failures >= limit) retryAfter = Math.max(retryAfter, Math.ceil((endsAt - now) / 1000));
    }
    if (retryAfter > 0) {
      throw new RegistrationException(
        RegistrationErrorCode.TooManyAttempts,
        'Too many failed logins; try again later',
        retryAfter,
      );
    }
  }

  async recordFailure(email: string, address: string): Promise<void> {
    const now = this.clock.now();
    for (const subject of [accountSubject(email), addressSubject(address)]) {
      await this.dataSource.query(
        `INSERT INTO login_failure (subject, failures, window_started_at) VALUES ($1, 1, $2)
         ON CONFLICT (subject) DO UPDATE SET
           failures = CASE WHEN login_failure.window_started_at > $2::timestamptz - make_interval(secs => $3)
                           THEN login_failure.failures + 1 ELSE 1 END,
           window_started_at = CASE WHEN login_failure.window_started_at > $2::timestamptz - make_interval(secs => $3)
                           THEN login_failure.window_started_at ELSE $2 END`,
        [subject, now, this.windowSeconds],
      );
    }
  }

  /** A successful login clears the account's counter; the address keeps its own. */
  async recordSuccess(email: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE subject = $1`, [accountSubject(email)]);
  }
}

function accountSubject(email: string): string {
  return `account:${email.toLowerCase()}`;
}

function addressSubject(address: string): string {
  return `address:${address}`;
}
