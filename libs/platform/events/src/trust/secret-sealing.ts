import { createHash } from 'node:crypto';
import { compactDecrypt, CompactEncrypt } from 'jose';
import { EventKeyError } from './event-signature';

const SEALED_TYPE = 'payer-access-sealed-secret+jwe';

/**
 * Encrypts a client secret's hash for the services that verify secrets (JWE, `dir` + A256GCM with
 * a key only registration and authorization hold). The client event carries the sealed hash, so a
 * reader of the topic learns nothing with which to test a guessed secret offline; authorization
 * still verifies secrets locally, without a call to registration at every token request.
 */
export class SecretSealer {
  private constructor(private readonly key: Uint8Array) {}

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
