import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

const POSITIVE_TTL_MS = 5 * 60 * 1000;

/**
 * Client secrets arrive from registration as argon2id hashes; oidc-provider would compare
 * plaintext. argon2 is deliberately slow (tens of milliseconds), so positive results are kept
 * briefly, keyed by a SHA-256 of hash and presented secret: a rotated secret (new hash) or a
 * different secret never hits the cache, and the plaintext is never kept.
 */
@Injectable()
export class ClientSecretVerifier {
  private readonly verified = new Map<string, number>();

  async verify(secretHash: string | undefined, presented: string): Promise<boolean> {
    if (!secretHash || !presented) return false;
    const key = createHash('sha256').update(secretHash).update('\0').update(presented).digest('base64url');
    const until = this.verified.get(key);
    if (until !== undefined && until > Date.now()) return true;
    const ok = await argon2.verify(secretHash, presented).catch(() => false);
    if (ok) {
      if (this.verified.size > 10_000) this.verified.clear();
      this.verified.set(key, Date.now() + POSITIVE_TTL_MS);
    }
    return ok;
  }
}
