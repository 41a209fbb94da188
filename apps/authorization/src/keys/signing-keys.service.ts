import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';
import { SIGNING_KEY_ENCRYPTER, type SigningKeyEncrypter } from './signing-key.encrypter';

/** ID tokens: RS256, which SMART App Launch requires every client to accept. */
export const ID_TOKEN_SIGNING_ALG = 'RS256';
/**
 * Access tokens: ES256 (P-256), which the resource servers' verifier accepts and which signs in a
 * fraction of RS256's time: most token responses carry one ID token and one access token.
 */
export const ACCESS_TOKEN_SIGNING_ALG = 'ES256';
/** Every algorithm this server signs with; each has a key set and rotation of its own. */
export const SIGNING_ALGS = [ID_TOKEN_SIGNING_ALG, ACCESS_TOKEN_SIGNING_ALG] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface KeyRotationPolicy {
  /** How long a key signs before the next one takes over. */
  rotationMs: number;
  /** How long a superseded key stays published: the longest lifetime of a token it signed. */
  retentionMs: number;
}

export interface SigningKeySet {
  /** Private JWKs, the signing key of each algorithm before the other keys of that algorithm. */
  keys: JWK[];
  /** The key that signs now, per algorithm. */
  signingKids: Record<SigningAlg, string>;
  /** When the next key of any algorithm takes over; the provider is rebuilt then. */
  nextRotationAt: Date;
}

/** The public members of a JWK (RSA or EC): what a JWKS publishes and a verifier needs. */
export function publicJwk({ kty, kid, alg, use, n, e, crv, x, y }: JWK): JWK {
  return Object.fromEntries(Object.entries({ kty, kid, alg, use, n, e, crv, x, y }).filter(([, value]) => value !== undefined)) as JWK;
}

/**
 * Signing keys live in the database so that every instance signs with the same key and a
 * restart keeps them. Rotation without downtime: the next key is published in the JWKS a whole
 * rotation period before it signs, and a superseded key stays published until the tokens it
 * signed have expired, so resource servers with a cached JWKS never meet an unknown `kid`.
 * Private keys are stored sealed by the `SigningKeyEncrypter` (envelope encryption): a copy of the
 * database alone does not let anyone sign tokens. Each algorithm (RS256 for ID tokens, ES256 for
 * access tokens) rotates on the same schedule with keys of its own.
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
      await this.sealStoredKeys(manager, now);
      const ordered: SigningKeyEntity[] = [];
      const signingKids = {} as Record<SigningAlg, string>;
      let nextRotationAt = new Date(now.getTime() + policy.rotationMs);
      for (const alg of SIGNING_ALGS) {
        const { keys, signing, next } = await this.rotate(manager, alg, policy, now);
        ordered.push(signing, ...keys.filter((key) => key.kid !== signing.kid));
        signingKids[alg] = signing.kid;
        if (next && next.activatesAt < nextRotationAt) nextRotationAt = next.activatesAt;
      }
      const opened = await Promise.all(ordered.map(async (key) => ({ ...(await this.open(key)), kid: key.kid, alg: key.alg, use: 'sig' })));
      return { keys: opened, signingKids, nextRotationAt };
    });
  }

  /** The rotation of one algorithm's keys: the signing key, the next one published ahead, older ones retiring. */
  private async rotate(manager: EntityManager, alg: SigningAlg, policy: KeyRotationPolicy, now: Date): Promise<{ keys: SigningKeyEntity[]; signing: SigningKeyEntity; next?: SigningKeyEntity }> {
    const repository = manager.getRepository(SigningKeyEntity);
    let keys = await this.published(manager, now, alg);
    let active = keys.filter((key) => key.activatesAt <= now);
    if (active.length === 0) {
      await this.create(manager, alg, now);
      keys = await this.published(manager, now, alg);
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
      await this.create(manager, alg, new Date(signing.activatesAt.getTime() + policy.rotationMs));
    }
    keys = await this.published(manager, now, alg);
    return { keys, signing, next: keys.find((key) => key.activatesAt > now) };
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

  /** Keys still published, newest first; of one algorithm when `alg` is given. */
  private published(manager: EntityManager, now: Date, alg?: SigningAlg): Promise<SigningKeyEntity[]> {
    const query = manager
      .getRepository(SigningKeyEntity)
      .createQueryBuilder('key')
      .where('(key.expires_at IS NULL OR key.expires_at > :now)', { now });
    if (alg) query.andWhere('key.alg = :alg', { alg });
    return query.orderBy('key.activates_at', 'DESC').getMany();
  }

  private async create(manager: EntityManager, alg: SigningAlg, activatesAt: Date): Promise<void> {
    // RSA keys of 2048 bits; ES256 fixes its curve (P-256).
    const { privateKey } = await generateKeyPair(alg, { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = randomUUID();
    await manager.getRepository(SigningKeyEntity).insert({
      kid,
      alg,
      privateJwk: null,
      encryptedPrivateJwk: await this.encrypter.seal(jwk, kid),
      createdAt: new Date(),
      activatesAt,
      expiresAt: null,
    });
  }
}
