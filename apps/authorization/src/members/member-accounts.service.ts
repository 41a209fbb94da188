import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import * as argon2 from 'argon2';
import type { Request } from 'express';
import { DataSource, In, type Repository } from 'typeorm';
import type { AuthorizationConfig } from '../authorization.config';
import { LoginThrottleEntity } from './login-throttle.entity';
import { MemberAccountEntity } from './member-account.entity';

export interface LoginPolicy {
  /** Failures per user name (known or not) within the window. */
  maxFailures: number;
  /** Failures per client address, whatever the user names, within the window. */
  maxFailuresPerAddress: number;
  windowMs: number;
}

export type LoginOutcome =
  | { ok: true; account: MemberAccountEntity }
  | { ok: false; reason: 'invalid_credentials' | 'throttled' };

/** The login limits the configuration sets. */
export function loginPolicy(config: Pick<AuthorizationConfig, 'LOGIN_MAX_FAILURES' | 'LOGIN_MAX_FAILURES_PER_ADDRESS' | 'LOGIN_FAILURE_WINDOW_SECONDS'>): LoginPolicy {
  return {
    maxFailures: config.LOGIN_MAX_FAILURES,
    maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
  };
}

/** The client address a login counts against: Express's `req.ip` honours TRUST_PROXY_HOPS. */
export function clientAddress(req: Pick<Request, 'ip' | 'socket'>): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

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
   * Checks a login. Failures are counted per user name, known or not, and per client address
   * (guessing one password across many user names); once either has used up its failures within
   * the window, every attempt it covers is refused until the window ends, right password or not.
   * The outcome never tells which of user name or password was wrong.
   */
  async authenticate(username: string, password: string, address: string, policy: LoginPolicy): Promise<LoginOutcome> {
    const key = usernameKey(username);
    const counters = [
      { key: `user:${key}`, limit: policy.maxFailures },
      { key: `address:${address}`, limit: policy.maxFailuresPerAddress },
    ];
    if (await this.isThrottled(counters, policy)) return { ok: false, reason: 'throttled' };
    const account = key ? await this.accounts.findOneBy({ usernameKey: key }) : null;
    const valid = account
      ? await argon2.verify(account.passwordHash, password).catch(() => false)
      : await argon2.verify(await DUMMY_HASH, password).then(() => false, () => false);
    if (!account || !valid) {
      for (const counter of counters) await this.recordFailure(counter.key, policy);
      return { ok: false, reason: 'invalid_credentials' };
    }
    // The address keeps its count: one member's success says nothing of its other attempts.
    await this.dataSource.getRepository(LoginThrottleEntity).delete({ key: counters[0].key });
    return { ok: true, account };
  }

  private async isThrottled(counters: { key: string; limit: number }[], policy: LoginPolicy): Promise<boolean> {
    const rows = await this.dataSource.getRepository(LoginThrottleEntity).findBy({ key: In(counters.map((counter) => counter.key)) });
    return rows.some((row) => {
      const limit = counters.find((counter) => counter.key === row.key)?.limit ?? Infinity;
      return row.failures >= limit && Date.now() - row.windowStartedAt.getTime() < policy.windowMs;
    });
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
