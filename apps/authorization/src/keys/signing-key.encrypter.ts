import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader, type JWK } from 'jose';

/** Injection token of the `SigningKeyEncrypter` in use. */
export const SIGNING_KEY_ENCRYPTER = Symbol.for('payer-access.authorization.SigningKeyEncrypter');

/**
 * Envelope encryption of the private signing keys stored in the database. The port a KMS (AWS
 * KMS, Cloud KMS, Vault transit...) implements to keep the key-encryption key out of the process.
 */
export interface SigningKeyEncrypter {
  /** Seals one private JWK, bound to its `kid` (a sealed key moved to another row does not open). */
  seal(jwk: JWK, kid: string): Promise<string>;
  /** Opens what `seal` returned; throws `SigningKeyDecryptionError` when it cannot. */
  open(sealed: string, kid: string): Promise<JWK>;
  /** False when `sealed` was made with an older key-encryption key: reseal it. */
  isCurrent(sealed: string): boolean;
}

/** A stored signing key that this configuration cannot open: the service must not start. */
export class SigningKeyDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyDecryptionError';
  }
}

const KEK_BYTES = 32;
/** JWE header parameter naming the signing key a ciphertext belongs to (authenticated with it). */
const SIGNING_KID_HEADER = 'urn:payer-access:signing-kid';

/**
 * Key-encryption keys from configuration: JWE compact serialization with `dir` + `A256GCM`. The
 * first key seals; every listed key opens, so a new key goes first and the old one stays listed
 * until every instance has restarted (which reseals the keys in the database).
 */
export class ConfiguredKeyEncrypter implements SigningKeyEncrypter {
  private readonly keks: { id: string; secret: Uint8Array }[];

  constructor(secrets: readonly Uint8Array[]) {
    if (secrets.length === 0) throw new Error('at least one key-encryption key is needed');
    this.keks = secrets.map((secret) => {
      if (secret.length !== KEK_BYTES) throw new Error(`a key-encryption key is ${KEK_BYTES} bytes, got ${secret.length}`);
      // A fingerprint, not the key: it tells which configured key a ciphertext needs.
      return { id: createHash('sha256').update('payer-access signing-key KEK id').update(secret).digest('base64url').slice(0, 16), secret };
    });
  }

  async seal(jwk: JWK, kid: string): Promise<string> {
    const { id, secret } = this.keks[0];
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: id, [SIGNING_KID_HEADER]: kid })
      .encrypt(secret);
  }

  async open(sealed: string, kid: string): Promise<JWK> {
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(sealed) as Record<string, unknown>;
    } catch {
      throw new SigningKeyDecryptionError(`signing key ${kid} is not a sealed key`);
    }
    const kek = this.keks.find((each) => each.id === header.kid);
    if (!kek) {
      throw new SigningKeyDecryptionError(`signing key ${kid} was sealed with a key-encryption key that SIGNING_KEY_ENCRYPTION_KEY does not list (wrong or removed key)`);
    }
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(sealed, kek.secret, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      if ((protectedHeader as Record<string, unknown>)[SIGNING_KID_HEADER] !== kid) throw new Error('sealed for another signing key');
      return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
    } catch (error) {
      throw new SigningKeyDecryptionError(`signing key ${kid} cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  isCurrent(sealed: string): boolean {
    try {
      return decodeProtectedHeader(sealed).kid === this.keks[0].id;
    } catch {
      return false;
    }
  }
}

/** A deterministic key for the sandbox profile only, so that its restarts keep their keys. */
const SANDBOX_KEK = createHash('sha256').update('payer-access sandbox signing-key encryption key').digest();

/**
 * The encrypter the configuration asks for: `SIGNING_KEY_ENCRYPTION_KEY` (base64url, comma-
 * separated, the first seals), or in the sandbox profile a fixed development key.
 */
export function configuredKeyEncrypter(config: { PROFILE: string; SIGNING_KEY_ENCRYPTION_KEY?: string }): SigningKeyEncrypter {
  const listed = (config.SIGNING_KEY_ENCRYPTION_KEY ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (listed.length > 0) return new ConfiguredKeyEncrypter(listed.map((value) => Buffer.from(value, 'base64url')));
  if (config.PROFILE === 'sandbox') return new ConfiguredKeyEncrypter([SANDBOX_KEK]);
  throw new Error('SIGNING_KEY_ENCRYPTION_KEY is required in the production profile (32 random bytes, base64url)');
}
