import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';

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
 */
@Injectable()
export class SigningKeysService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates, promotes and retires keys as due, then returns the keys to publish. */
  async current(policy: KeyRotationPolicy, now = new Date()): Promise<SigningKeySet> {
    return this.dataSource.transaction(async (manager) => {
      // One instance at a time rotates; the others wait and then see its result.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('authorization.signing_key'))`);
      const repository = manager.getRepository(SigningKeyEntity);
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
      return {
        keys: ordered.map((key) => ({ ...key.privateJwk, kid: key.kid, alg: key.alg, use: 'sig' })),
        signingKid: signing.kid,
        nextRotationAt: next ? next.activatesAt : new Date(now.getTime() + policy.rotationMs),
      };
    });
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
    await manager.getRepository(SigningKeyEntity).insert({
      kid: randomUUID(),
      alg: SIGNING_ALG,
      privateJwk: jwk,
      createdAt: new Date(),
      activatesAt,
      expiresAt: null,
    });
  }
}
