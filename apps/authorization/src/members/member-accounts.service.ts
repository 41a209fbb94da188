import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import * as argon2 from 'argon2';
import { DataSource, type Repository } from 'typeorm';
import { LoginThrottleEntity } from './login-throttle.entity';
import { MemberAccountEntity } from './member-account.entity';

export interface LoginPolicy {
  maxFailures: number;
  windowMs: number;
}

export type LoginOutcome =
  | { ok: true; account: MemberAccountEntity }
  | { ok: false; reason: 'invalid_credentials' | 'throttled' };

/** Compared with when a user name is unknown, so both failures take as long (no user enumeration). */
const DUMMY_HASH = argon2.hash('not-a-password-of-anyone', { type: argon2.argon2id });

export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

@Injectable()
export class MemberAccountsService {
  constructor(
    @InjectRepository(MemberAccountEntity) private readonly accounts: Repository<MemberAccountEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Creates the seed's synthetic members (sandbox profile), each linked to its FHIR Patient. */
  async seedSandboxMembers(): Promise<void> {
    for (const member of SANDBOX_MEMBERS) {
      const key = usernameKey(member.username);
      if (await this.accounts.existsBy({ usernameKey: key })) continue;
      await this.accounts
        .createQueryBuilder()
        .insert()
        .values({
          username: member.username,
          usernameKey: key,
          passwordHash: await argon2.hash(member.password, { type: argon2.argon2id }),
          patientId: member.patientId,
          givenName: member.givenName,
          familyName: member.familyName,
          createdAt: new Date(),
        })
        .orIgnore()
        .execute();
    }
  }

  findById(id: string): Promise<MemberAccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  /**
   * Checks a login. Failures are counted per user name, known or not, and after
   * `maxFailures` within the window every attempt is refused until the window ends.
   * The outcome never tells which of user name or password was wrong.
   */
  async authenticate(username: string, password: string, policy: LoginPolicy): Promise<LoginOutcome> {
    const key = usernameKey(username);
    if (await this.isThrottled(key, policy)) return { ok: false, reason: 'throttled' };
    const account = key ? await this.accounts.findOneBy({ usernameKey: key }) : null;
    const valid = account
      ? await argon2.verify(account.passwordHash, password).catch(() => false)
      : await argon2.verify(await DUMMY_HASH, password).then(() => false, () => false);
    if (!account || !valid) {
      await this.recordFailure(key, policy);
      return { ok: false, reason: 'invalid_credentials' };
    }
    await this.dataSource.getRepository(LoginThrottleEntity).delete({ key });
    return { ok: true, account };
  }

  private async isThrottled(key: string, policy: LoginPolicy): Promise<boolean> {
    const row = await this.dataSource.getRepository(LoginThrottleEntity).findOneBy({ key });
    return !!row && row.failures >= policy.maxFailures && Date.now() - row.windowStartedAt.getTime() < policy.windowMs;
  }

  private async recordFailure(key: string, policy: LoginPolicy): Promise<void> {
    // A window that has ended starts over at one failure.
    await this.dataSource.query(
      `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_throttle.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE login_throttle.failures + 1 END,
         window_started_at = CASE WHEN login_throttle.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE login_throttle.window_started_at END`,
      [key, policy.windowMs / 1000],
    );
  }
}
