import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { SecretSealer } from '@payer-access/events';
import * as argon2 from 'argon2';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import type { AuthorizationConfig } from '../authorization.config';

const CACHE_SIZE = 10_000;

export interface ClientSecretPolicy {
  /** Distinct wrong secrets a client may be sent within the window before no more are hashed. */
  maxFailures: number;
  windowMs: number;
}

const DEFAULT_POLICY: ClientSecretPolicy = { maxFailures: 20, windowMs: 60_000 };

/**
 * Client secrets arrive from registration as hashes; oidc-provider would compare plaintext.
 *
 * Secrets issued now are stored as keyed SHA-256 (`SecretSealer.hashSecret`): checking one costs
 * microseconds and is a constant-time comparison, with no cache or limit needed.
 *
 * Secrets issued before are argon2id hashes, which stay valid until their owner rotates them
 * (registration never sees a secret again, so it cannot rehash one). argon2 is deliberately slow
 * (tens of milliseconds), so for those:
 * - a secret that verified is upgraded in memory: its keyed hash is kept beside the argon2id hash
 *   it matched, and later checks compare against it, so the argon2 cost is paid once per client and
 *   process, not at every token request;
 * - wrong secrets are kept, keyed by a SHA-256 of hash and presented secret (never the plaintext),
 *   in a bounded least-recently-used set;
 * - identical checks under way at once share one hash computation;
 * - once a client has been sent `maxFailures` distinct wrong secrets in the window, further
 *   unknown secrets are refused without hashing until the window ends (as Keycloak counts failures
 *   per client). A secret verified before still passes, so a flood does not lock out the client
 *   it targets while that client keeps working.
 * Counters live in this process: each instance limits the work it does itself.
 */
@Injectable()
export class ClientSecretVerifier {
  /** argon2id hash → the keyed hash of the secret it was last verified with. */
  private readonly upgraded = new Map<string, string>();
  private readonly refused = new Map<string, true>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly failures = new Map<string, { count: number; windowEndsAt: number; secretHash: string }>();
  private readonly policy: ClientSecretPolicy;
  /** argon2 verifications actually performed (what a flood, or each token request, would otherwise multiply). */
  hashChecks = 0;

  constructor(
    private readonly sealer: SecretSealer,
    @Optional() @Inject(AUTHORIZATION_CONFIG) config?: Pick<AuthorizationConfig, 'CLIENT_SECRET_MAX_FAILURES' | 'CLIENT_SECRET_FAILURE_WINDOW_SECONDS'>,
  ) {
    this.policy = config ? { maxFailures: config.CLIENT_SECRET_MAX_FAILURES, windowMs: config.CLIENT_SECRET_FAILURE_WINDOW_SECONDS * 1000 } : DEFAULT_POLICY;
  }

  /** `clientId` scopes the failure limit; without it, the stored hash stands for the client. */
  async verify(secretHash: string | undefined, presented: string, clientId?: string): Promise<boolean> {
    if (!secretHash || !presented) return false;
    if (SecretSealer.isKeyedHash(secretHash)) return this.sealer.matchesSecret(secretHash, presented);
    const upgraded = this.upgraded.get(secretHash);
    if (upgraded !== undefined && this.sealer.matchesSecret(upgraded, presented)) return true;
    const key = createHash('sha256').update(secretHash).update('\0').update(presented).digest('base64url');
    if (this.refused.has(key)) {
      // Refreshes its place in the least-recently-used order.
      this.refused.delete(key);
      this.refused.set(key, true);
      return false;
    }
    const shared = this.pending.get(key);
    if (shared) return shared;
    const client = clientId ?? secretHash;
    // Counted as a failure before hashing, so that checks under way at once cannot all pass the limit.
    if (!this.reserve(client, secretHash)) return false;
    const check = this.compare(secretHash, presented).then((ok) => {
      if (ok) {
        this.upgrade(secretHash, presented);
        this.failures.delete(client);
      } else {
        this.remember(key);
      }
      return ok;
    });
    this.pending.set(key, check);
    try {
      return await check;
    } finally {
      this.pending.delete(key);
    }
  }

  private async compare(secretHash: string, presented: string): Promise<boolean> {
    this.hashChecks += 1;
    return argon2.verify(secretHash, presented).catch(() => false);
  }

  private upgrade(secretHash: string, presented: string): void {
    this.upgraded.delete(secretHash);
    if (this.upgraded.size >= CACHE_SIZE) this.upgraded.delete(this.upgraded.keys().next().value as string);
    this.upgraded.set(secretHash, this.sealer.hashSecret(presented));
  }

  private remember(key: string): void {
    if (this.refused.size >= CACHE_SIZE) this.refused.delete(this.refused.keys().next().value as string);
    this.refused.set(key, true);
  }

  /** Counts one more check for the client, unless it has used up its failures in this window. */
  private reserve(client: string, secretHash: string): boolean {
    const now = Date.now();
    const entry = this.failures.get(client);
    // A new secret (rotation) or an ended window starts over.
    if (entry && entry.secretHash === secretHash && entry.windowEndsAt > now) {
      if (entry.count >= this.policy.maxFailures) return false;
      entry.count += 1;
      return true;
    }
    if (entry) this.failures.delete(client);
    else if (this.failures.size >= CACHE_SIZE) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(client, { count: 1, windowEndsAt: now + this.policy.windowMs, secretHash });
    return true;
  }
}
