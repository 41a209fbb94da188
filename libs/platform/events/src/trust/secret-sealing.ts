import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { compactDecrypt, CompactEncrypt } from 'jose';
import { EventKeyError } from './event-signature';

const SEALED_TYPE = 'payer-access-sealed-secret+jwe';
/** The stored form of a client secret: `$hmac-sha256$` and 43 base64url characters. */
const KEYED_HASH_PREFIX = '$hmac-sha256$';
const KEYED_HASH = /^\$hmac-sha256\$[A-Za-z0-9_-]{43}$/;

/**
 * Encrypts a client secret's hash for the services that verify secrets (JWE, `dir` + A256GCM with
 * a key only registration and authorization hold). The client event carries the sealed hash, so a
 * reader of the topic learns nothing with which to test a guessed secret offline; authorization
 * still verifies secrets locally, without a call to registration at every token request.
 */
export class SecretSealer {
  /** The HMAC key of client secret hashes, derived from the sealing key (one key, one use each). */
  private readonly hashKey: Buffer;

  private constructor(private readonly key: Uint8Array) {
    this.hashKey = createHmac('sha256', key).update('payer-access client secret hash v1').digest();
  }

  /**
   * @param key 32 bytes in base64url; unset takes the sandbox key in the sandbox profile and is
   * refused in production (one line naming the variable).
   */
  static fromConfig(key: string | undefined, profile: 'sandbox' | 'production', variable = 'CLIENT_SECRET_SEALING_KEY'): SecretSealer {
    if (!key) {
      if (profile === 'production') throw new EventKeyError(`${variable} is required in the production profile: the key that encrypts client secret hashes on the event topic`);
      return new SecretSealer(createHash('sha256').update('payer-access sandbox client secret sealing key').digest());
    }
    const bytes = Buffer.from(key, 'base64url');
    if (bytes.length !== 32 || bytes.toString('base64url') !== key) throw new EventKeyError(`${variable} must be 32 bytes in base64url (43 characters)`);
    return new SecretSealer(bytes);
  }

  /**
   * The stored form of a client secret: HMAC-SHA-256 under a key derived from the sealing key.
   * Client secrets are 256 random bits (RFC 6749 §10.10), so no guess can be tested against the
   * hash and a slow password hash would add cost, not protection; the key keeps a copy of the
   * registration database alone from being a list of testable hashes all the same. Account
   * passwords, which people choose, stay argon2id.
   */
  hashSecret(secret: string): string {
    return KEYED_HASH_PREFIX + createHmac('sha256', this.hashKey).update(secret, 'utf8').digest('base64url');
  }

  /** Whether `stored` is a hash `hashSecret` makes (older client secrets are argon2id hashes). */
  static isKeyedHash(stored: string): boolean {
    return KEYED_HASH.test(stored);
  }

  /** Whether `presented` is the secret behind `stored` (a `hashSecret` result), compared in constant time. */
  matchesSecret(stored: string, presented: string): boolean {
    if (!SecretSealer.isKeyedHash(stored)) return false;
    return timingSafeEqual(Buffer.from(stored, 'latin1'), Buffer.from(this.hashSecret(presented), 'latin1'));
  }

  /** Seals `secretHash` for `clientId`; the result opens only for that client. */
  seal(clientId: string, secretHash: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(secretHash))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: SEALED_TYPE, sub: clientId })
      .encrypt(this.key);
  }

  /** The hash, or undefined when the value was not sealed with this key for this client. */
  async unseal(clientId: string, sealed: string): Promise<string | undefined> {
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(sealed, this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      if (protectedHeader.typ !== SEALED_TYPE || protectedHeader.sub !== clientId) return undefined;
      return new TextDecoder().decode(plaintext);
    } catch {
      return undefined;
    }
  }
}
