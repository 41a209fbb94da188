import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { DataSource } from 'typeorm';

/**
 * Looks up clients for the provider. They are not stored by the adapter: the client
 * projection (fed by registration's events) is the source of truth.
 */
export type ClientMetadataLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/** The instant (ms) before which a client's codes and refresh tokens are void: its last suspension. */
export type ClientNotBeforeLookup = (clientId: string) => number | undefined;

/** The credentials a reinstated client must not get back. */
const VOID_BEFORE_NOT_BEFORE = new Set(['AuthorizationCode', 'RefreshToken']);

/**
 * oidc-provider storage in PostgreSQL, one `oidc_payload` table for every model, following the
 * provider's adapter contract (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js).
 */
export function postgresAdapterFactory(dataSource: DataSource, findClient: ClientMetadataLookup, notBefore: ClientNotBeforeLookup = () => undefined): new (name: string) => Adapter {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      await dataSource.query(
        `INSERT INTO oidc_payload (kind, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (kind, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
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

    async consume(id: string): Promise<void> {
      await dataSource.query(`UPDATE oidc_payload SET consumed_at = now() WHERE kind = $1 AND id = $2 AND consumed_at IS NULL`, [this.kind, id]);
    }

    async destroy(id: string): Promise<void> {
      await dataSource.query(`DELETE FROM oidc_payload WHERE kind = $1 AND id = $2`, [this.kind, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await dataSource.query(`DELETE FROM oidc_payload WHERE kind = $1 AND grant_id = $2`, [this.kind, grantId]);
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const rows: { payload: AdapterPayload; consumed_at: Date | null }[] = await dataSource.query(
        `SELECT payload, consumed_at FROM oidc_payload
         WHERE kind = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [this.kind, value],
      );
      const row = rows[0];
      if (!row) return undefined;
      // Unknown to the provider is invalid_grant to the client: what was issued before the client's
      // last suspension stays dead after a reinstatement, whatever survived the revocation.
      if (VOID_BEFORE_NOT_BEFORE.has(this.kind) && issuedBefore(row.payload, notBefore)) return undefined;
      return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
    }
  };
}

function issuedBefore(payload: AdapterPayload, notBefore: ClientNotBeforeLookup): boolean {
  const clientId = typeof payload.clientId === 'string' ? payload.clientId : undefined;
  const limit = clientId === undefined ? undefined : notBefore(clientId);
  if (limit === undefined) return false;
  return typeof payload.iat !== 'number' || payload.iat * 1000 < limit;
}

/** Deletes rows past their expiry; the provider never reads them again. */
export async function deleteExpiredPayloads(dataSource: DataSource): Promise<number> {
  const [, count] = (await dataSource.query(`DELETE FROM oidc_payload WHERE expires_at < now() - interval '1 minute'`)) as [unknown, number];
  return count;
}
