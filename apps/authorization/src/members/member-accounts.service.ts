import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import * as argon2 from 'argon2';
import type { Request } from 'express';
import { DataSource, type Repository } from 'typeorm';
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
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

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

/** How long a looked-up account is reused: accounts are never changed here, so this bounds only outside edits. */
const ACCOUNT_CACHE_TTL_MS = 5000;
const ACCOUNT_CACHE_MAX = 10_000;

export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

@Injectable()
export class MemberAccountsService {
  /**
   * Every token the provider issues looks its account up (`findAccount`), a refresh included. This
   * service never updates or deletes an account, so a found one is reused for ACCOUNT_CACHE_TTL_MS;
   * one that is not found is always asked for again.
   */
  private readonly cache = new Map<string, { account: MemberAccountEntity; until: number }>();

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

  async findById(id: string): Promise<MemberAccountEntity | null> {
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.account;
    const account = await this.accounts.findOneBy({ id });
    if (account) {
      if (this.cache.size >= ACCOUNT_CACHE_MAX) this.cache.clear();
      this.cache.set(id, { account, until: Date.now() + ACCOUNT_CACHE_TTL_MS });
    } else {
      this.cache.delete(id);
    }
    return account;
  }

  /**
   * Checks a login. Failures are counted per user name, known or not, and per client address
   * (guessing one password across many user names); once either has used up its failures within
   * the window, every attempt it covers is refused until the window ends, right password or not.
   * The outcome never tells which of user name or password was wrong.
   *
   * Each attempt reserves its failure atomically before the password hash is compared, and gives
   * it back only when the password was right: of many parallel guesses, no more than the limit
   * are ever compared (Keycloak's brute-force protector decides before the expensive check too).
   */
  async authenticate(username: string, password: string, address: string, policy: LoginPolicy): Promise<LoginOutcome> {
    const key = usernameKey(username);
    const counters = [
      { key: `user:${key}`, limit: policy.maxFailures },
      { key: `address:${address}`, limit: policy.maxFailuresPerAddress },
    ];
    const reserved: string[] = [];
    for (const counter of counters) {
      const retryAfterSeconds = await this.reserve(counter.key, counter.limit, policy);
      if (retryAfterSeconds !== undefined) {
        for (const taken of reserved) await this.release(taken);
        return { ok: false, reason: 'throttled', retryAfterSeconds };
      }
      reserved.push(counter.key);
    }
    const account = key ? await this.accounts.findOneBy({ usernameKey: key }) : null;
    const valid = account
      ? await argon2.verify(account.passwordHash, password).catch(() => false)
      : await argon2.verify(await DUMMY_HASH, password).then(() => false, () => false);
    // A failure stays counted as reserved.
    if (!account || !valid) return { ok: false, reason: 'invalid_credentials' };
    // The address keeps its other failures: one member's success says nothing of its other attempts.
    await this.dataSource.getRepository(LoginThrottleEntity).delete({ key: counters[0].key });
    await this.release(counters[1].key);
    return { ok: true, account };
  }

  /**
   * Counts one more attempt on `key` unless it has used up `limit` within the window (a window
   * that has ended starts over at one); the row lock of the upsert serialises parallel attempts.
   * Returns the seconds to wait when refused.
   */
  private async reserve(key: string, limit: number, policy: LoginPolicy): Promise<number | undefined> {
    const ended = `login_throttle.window_started_at <= now() - make_interval(secs => $2)`;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN ${ended} THEN 1 ELSE login_throttle.failures + 1 END,
         window_started_at = CASE WHEN ${ended} THEN now() ELSE login_throttle.window_started_at END
       WHERE ${ended} OR login_throttle.failures < $3
       RETURNING failures`,
      [key, policy.windowMs / 1000, limit],
    );
    if (rows.length > 0) return undefined;
    const [row]: { wait: number | null }[] = await this.dataSource.query(
      `SELECT ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::int AS wait FROM login_throttle WHERE key = $1`,
      [key, policy.windowMs / 1000],
    );
    return Math.max(1, row?.wait ?? 1);
  }

  private async release(key: string): Promise<void> {
    await this.dataSource.query(`UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0`, [key]);
  }
}
