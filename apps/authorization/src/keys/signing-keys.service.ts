import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';
import { SIGNING_KEY_ENCRYPTER, type SigningKeyEncrypter } from './signing-key.encrypter';

export const SIGNING_ALG = 'RS256';

export interface KeyRotationPolicy {
  /** How long a key signs before the next one takes over. */
  rotationMs: number;
  /** How long a superseded key stays published: the longest lifetime of a token it signed. */
  retentionMs: number;
}

export interface SigningKeySet {
  /** Private JWKs, the signing key first (oidc-provider signs with the first key of an algorithm). */
  keys: JWK[];
  signingKid: string;
  /** When the next key takes over; the provider is rebuilt then. */
  nextRotationAt: Date;
}

/**
 * Signing keys live in the database so that every instance signs with the same key and a
 * restart keeps them. Rotation without downtime: the next key is published in the JWKS a whole
 * rotation period before it signs, and a superseded key stays published until the tokens it
 * signed have expired, so resource servers with a cached JWKS never meet an unknown `kid`.
 * Private keys are stored sealed by the `SigningKeyEncrypter` (envelope encryption): a copy of the
 * database alone does not let anyone sign tokens.
 */
@Injectable()
export class SigningKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SIGNING_KEY_ENCRYPTER) private readonly encrypter: SigningKeyEncrypter,
  ) {}

  /** Creates, promotes and retires keys as due, then returns the keys to publish. */
  async current(policy: KeyRotationPolicy, now = new Date()): Promise<SigningKeySet> {
    return this.dataSource.transaction(async (manager) => {
      // One instance at a time rotates; the others wait and then see its result.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('authorization.signing_key'))`);
      const repository = manager.getRepository(SigningKeyEntity);
      await this.sealStoredKeys(manager, now);
      let keys = await this.published(manager, now);
      let active = keys.filter((key) => key.activatesAt <= now);
      if (active.length === 0) {
        await this.create(manager, now);
        keys = await this.published(manager, now);
        active = keys.filter((key) => key.activatesAt <= now);
      }
      const signing = active[0];
      // Keys older than the signing one stop signing now; publish them for one token lifetime more.
      for (const older of active.slice(1)) {
        if (older.expiresAt === null) {
          await repository.update({ kid: older.kid }, { expiresAt: new Date(now.getTime() + policy.retentionMs) });
        }
      }
      if (!keys.some((key) => key.activatesAt > now)) {
        await this.create(manager, new Date(signing.activatesAt.getTime() + policy.rotationMs));
      }
      keys = await this.published(manager, now);
      const next = keys.find((key) => key.activatesAt > now);
      const ordered = [signing, ...keys.filter((key) => key.kid !== signing.kid)];
      const opened = await Promise.all(ordered.map(async (key) => ({ ...(await this.open(key)), kid: key.kid, alg: key.alg, use: 'sig' })));
      return {
        keys: opened,
        signingKid: signing.kid,
        nextRotationAt: next ? next.activatesAt : new Date(now.getTime() + policy.rotationMs),
      };
    });
  }

  /**
   * Seals keys stored in plaintext (by versions before envelope encryption) and reseals published
   * keys sealed with an older key-encryption key, so that it can be removed from configuration.
   * A published key that cannot be opened stops the start here, with the reason.
   */
  private async sealStoredKeys(manager: EntityManager, now: Date): Promise<void> {
    const repository = manager.getRepository(SigningKeyEntity);
    for (const key of await repository.find()) {
      if (key.privateJwk) {
        await repository.update({ kid: key.kid }, { encryptedPrivateJwk: await this.encrypter.seal(key.privateJwk, key.kid), privateJwk: null });
      }
    }
    for (const key of await this.published(manager, now)) {
      if (key.encryptedPrivateJwk && !this.encrypter.isCurrent(key.encryptedPrivateJwk)) {
        const jwk = await this.encrypter.open(key.encryptedPrivateJwk, key.kid);
        await repository.update({ kid: key.kid }, { encryptedPrivateJwk: await this.encrypter.seal(jwk, key.kid) });
      }
    }
  }

  private async open(key: SigningKeyEntity): Promise<JWK> {
    if (key.encryptedPrivateJwk) return this.encrypter.open(key.encryptedPrivateJwk, key.kid);
    if (key.privateJwk) return key.privateJwk;
    throw new Error(`signing key ${key.kid} has no private key`);
  }

  private published(manager: EntityManager, now: Date): Promise<SigningKeyEntity[]> {
    return manager
      .getRepository(SigningKeyEntity)
      .createQueryBuilder('key')
      .where('key.expires_at IS NULL OR key.expires_at > :now', { now })
      .orderBy('key.activates_at', 'DESC')
      .getMany();
  }

  private async create(manager: EntityManager, activatesAt: Date): Promise<void> {
    const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = randomUUID();
    await manager.getRepository(SigningKeyEntity).insert({
      kid,
      alg: SIGNING_ALG,
      privateJwk: null,
      encryptedPrivateJwk: await this.encrypter.seal(jwk, kid),
      createdAt: new Date(),
      activatesAt,
      expiresAt: null,
    });
  }
}
