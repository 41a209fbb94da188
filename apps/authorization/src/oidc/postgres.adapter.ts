import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { DataSource } from 'typeorm';

/**
 * Looks up clients for the provider. They are not stored by the adapter: the client
 * projection (fed by registration's events) is the source of truth.
 */
export type ClientMetadataLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/** Whether a client's credential issued at `iat` (seconds) predates its not-before (its last suspension), and so is void. */
export type IssuedBeforeNotBefore = (clientId: string, issuedAtSeconds: unknown) => boolean;

/** The credentials a reinstated client must not get back. */
const VOID_BEFORE_NOT_BEFORE = new Set(['AuthorizationCode', 'RefreshToken']);

/**
 * Called when a consumption finds the row already consumed by a parallel request: that request
 * is a replay the provider's own check could not see yet. It must refuse the request (throw).
 */
export type ConsumedReplayHandler = (kind: string, grantId: string | undefined) => Promise<never>;

export interface PostgresAdapterOptions {
  findClient: ClientMetadataLookup;
  onReplay: ConsumedReplayHandler;
  /** Why the request being handled revokes a grant (kept on the Grant's tombstone). */
  revocationReason: () => string;
  /** The client's not-before: its codes and refresh tokens issued before it are void. */
  issuedBeforeNotBefore?: IssuedBeforeNotBefore;
}

/**
 * oidc-provider storage in PostgreSQL, one `oidc_payload` table for every model, following the
 * provider's adapter contract (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js).
 */
export function postgresAdapterFactory(dataSource: DataSource, { findClient, onReplay, revocationReason, issuedBeforeNotBefore = () => false }: PostgresAdapterOptions): new (name: string) => Adapter {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      await dataSource.query(
        `INSERT INTO oidc_payload (kind, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (kind, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at
         WHERE oidc_payload.revoked_reason IS NULL`,
        [this.kind, id, payload, payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresAt],
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.kind === 'Client') return findClient(id);
      return this.findBy('id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('user_code', userCode);
    }

    /**
     * The provider reads a code or refresh token, checks it is unconsumed, then consumes it: two
     * parallel requests can both pass the check. Only the one whose update finds the row still
     * unconsumed goes on; the other is handled as the replay it is.
     */
    async consume(id: string): Promise<void> {
      const [, count] = (await dataSource.query(
        `UPDATE oidc_payload SET consumed_at = now() WHERE kind = $1 AND id = $2 AND consumed_at IS NULL RETURNING id`,
        [this.kind, id],
      )) as [unknown, number];
      if (count === 1) return;
      const rows: { grant_id: string | null }[] = await dataSource.query(`SELECT grant_id FROM oidc_payload WHERE kind = $1 AND id = $2`, [this.kind, id]);
      await onReplay(this.kind, rows[0]?.grant_id ?? undefined);
    }

    /**
     * A destroyed Grant is a revocation (the provider destroys grants only when revoking them). It
     * stays as a tombstone, invisible to the provider, until the revocation is recorded and
     * announced (MemberGrantsService): if that fails, the tombstone is how it is retried.
     */
    async destroy(id: string): Promise<void> {
      if (this.kind === 'Grant') {
        await dataSource.query(`UPDATE oidc_payload SET revoked_reason = $2 WHERE kind = 'Grant' AND id = $1 AND revoked_reason IS NULL`, [id, revocationReason()]);
        return;
      }
      await dataSource.query(`DELETE FROM oidc_payload WHERE kind = $1 AND id = $2`, [this.kind, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await dataSource.query(`DELETE FROM oidc_payload WHERE kind = $1 AND grant_id = $2`, [this.kind, grantId]);
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const rows: { payload: AdapterPayload; consumed_at: Date | null }[] = await dataSource.query(
        `SELECT payload, consumed_at FROM oidc_payload
         WHERE kind = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now()) AND revoked_reason IS NULL`,
        [this.kind, value],
      );
      const row = rows[0];
      if (!row) return undefined;
      // Unknown to the provider is invalid_grant to the client: what was issued before the client's
      // last suspension stays dead after a reinstatement, whatever survived the revocation.
      if (VOID_BEFORE_NOT_BEFORE.has(this.kind) && typeof row.payload.clientId === 'string' && issuedBeforeNotBefore(row.payload.clientId, row.payload.iat)) return undefined;
      return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
    }
  };
}

/** Deletes rows past their expiry; the provider never reads them again. */
export async function deleteExpiredPayloads(dataSource: DataSource): Promise<number> {
  const [, count] = (await dataSource.query(`DELETE FROM oidc_payload WHERE expires_at < now() - interval '1 minute'`)) as [unknown, number];
  return count;
}
