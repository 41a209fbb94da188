import { Injectable } from '@nestjs/common';
import type { AccessTokenClaims } from './fhir-principal';

const MAX_ENTRIES = 10_000;

/**
 * Tokens whose signature, issuer, audience and expiry were verified, with their claims, until they
 * expire: an app sends the same token with every request, and an RSA verification per request is
 * the largest cost of a read. Only the cryptographic result is cached; the client's status and the
 * grant's revocation are checked on every request.
 */
@Injectable()
export class VerifiedTokenCache {
  private readonly entries = new Map<string, AccessTokenClaims>();

  get(token: string, now: number = Date.now()): AccessTokenClaims | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp * 1000 <= now) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: AccessTokenClaims): void {
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: the oldest entry goes first.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, claims);
  }
}
