import { PreparedStatements } from '@payer-access/database';
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
  /**
   * The request being handled (oidc-provider's `Provider.ctx`), if any: what the adapter learns in
   * one call of a request and uses in a later one of the same request is kept per request object.
   */
  currentRequest?: () => object | undefined;
}

/** What one request's earlier adapter calls left for its later ones. */
interface RequestMemo {
  /** Grants read with the refresh token that names them, by id: the provider asks for each next. */
  readonly grants: Map<string, AdapterPayload>;
  /** The refresh token the provider consumed in this request, to be consumed with the insert of its successor. */
  rotated?: string;
}

/** Where a row (of the table, or under an alias) is live: not expired, not a revoked Grant's tombstone. */
const liveCondition = (row = 'oidc_payload'): string => `(${row}.expires_at IS NULL OR ${row}.expires_at > now()) AND ${row}.revoked_reason IS NULL`;
const UPSERT_COLUMNS = `(kind, id, payload, grant_id, uid, user_code, expires_at)`;
const ON_CONFLICT = `ON CONFLICT (kind, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at
         WHERE oidc_payload.revoked_reason IS NULL`;

/**
 * oidc-provider storage in PostgreSQL, one `oidc_payload` table for every model, following the
 * provider's adapter contract (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js).
 */
export function postgresAdapterFactory(
  dataSource: DataSource,
  { findClient, onReplay, revocationReason, issuedBeforeNotBefore = () => false, currentRequest = () => undefined }: PostgresAdapterOptions,
): new (name: string) => Adapter {
  const statements = new PreparedStatements(dataSource, 'oidc');
  const memos = new WeakMap<object, RequestMemo>();
  const memo = (): RequestMemo | undefined => {
    const request = currentRequest();
    if (!request) return undefined;
    let found = memos.get(request);
    if (!found) memos.set(request, (found = { grants: new Map() }));
    return found;
  };

  return class PostgresAdapter implements Adapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const values = [this.kind, id, payload, payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresAt];
      const request = this.kind === 'RefreshToken' ? memo() : undefined;
      const rotated = request?.rotated;
      if (request === undefined || rotated === undefined) {
        await statements.run(`INSERT INTO oidc_payload ${UPSERT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7) ${ON_CONFLICT}`, values);
        return;
      }
      // A rotation: the old refresh token is consumed and its successor stored in one statement,
      // the successor only if this request's update is the one that consumed the old token.
      request.rotated = undefined;
      const { rowCount } = await statements.run(
        `WITH consumed AS (
           UPDATE oidc_payload SET consumed_at = now() WHERE kind = $1::text AND id = $8::text AND consumed_at IS NULL RETURNING id
         )
         INSERT INTO oidc_payload ${UPSERT_COLUMNS}
         SELECT $1::text, $2::text, $3::jsonb, $4::text, $5::text, $6::text, $7::timestamptz FROM consumed ${ON_CONFLICT}`,
        [...values, rotated],
      );
      if (rowCount === 1) return;
      await this.refuseReplay(rotated);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.kind === 'Client') return findClient(id);
      if (this.kind === 'Grant') {
        // Read a moment ago with the refresh token of this request (findRefreshToken), once.
        const grants = memo()?.grants;
        const read = grants?.get(id);
        if (grants && read) {
          grants.delete(id);
          return read;
        }
      }
      if (this.kind === 'RefreshToken') return this.findRefreshToken(id);
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
     *
     * A refresh token is consumed only to be rotated: the provider stores its successor next, in
     * the same request, and nothing in between reads the database. Its update then runs in the
     * statement that inserts the successor (`upsert`), one round trip instead of two; a request
     * that fails in between leaves the old token unconsumed, as it issued nothing.
     */
    async consume(id: string): Promise<void> {
      const request = this.kind === 'RefreshToken' ? memo() : undefined;
      if (request) {
        request.rotated = id;
        return;
      }
      const { rowCount } = await statements.run(`UPDATE oidc_payload SET consumed_at = now() WHERE kind = $1 AND id = $2 AND consumed_at IS NULL`, [this.kind, id]);
      if (rowCount === 1) return;
      await this.refuseReplay(id);
    }

    /** A consumption that found the row consumed by a parallel request (or gone): a replay. */
    private async refuseReplay(id: string): Promise<never> {
      const rows = await statements.query<{ grant_id: string | null }>(`SELECT grant_id FROM oidc_payload WHERE kind = $1 AND id = $2`, [this.kind, id]);
      return onReplay(this.kind, rows[0]?.grant_id ?? undefined);
    }

    /**
     * A destroyed Grant is a revocation (the provider destroys grants only when revoking them). It
     * stays as a tombstone, invisible to the provider, until the revocation is recorded and
     * announced (MemberGrantsService): if that fails, the tombstone is how it is retried.
     */
    async destroy(id: string): Promise<void> {
      if (this.kind === 'Grant') {
        await statements.run(`UPDATE oidc_payload SET revoked_reason = $2 WHERE kind = 'Grant' AND id = $1 AND revoked_reason IS NULL`, [id, revocationReason()]);
        return;
      }
      await statements.run(`DELETE FROM oidc_payload WHERE kind = $1 AND id = $2`, [this.kind, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await statements.run(`DELETE FROM oidc_payload WHERE kind = $1 AND grant_id = $2`, [this.kind, grantId]);
    }

    /**
     * A refresh token, and in the same round trip the live Grant it names: the provider reads that
     * next (`validateGrant`), and gets it from this request's memo instead of the database.
     */
    private async findRefreshToken(id: string): Promise<AdapterPayload | undefined> {
      const rows = await statements.query<{ payload: AdapterPayload; consumed_at: Date | null; grant_payload: AdapterPayload | null }>(
        `SELECT token.payload, token.consumed_at, grant_row.payload AS grant_payload
         FROM oidc_payload token
         LEFT JOIN oidc_payload grant_row ON grant_row.kind = 'Grant' AND grant_row.id = token.grant_id AND ${liveCondition('grant_row')}
         WHERE token.kind = 'RefreshToken' AND token.id = $1 AND ${liveCondition('token')}`,
        [id],
      );
      const row = rows[0];
      const token = row && this.live(row);
      const grantId = token?.grantId;
      if (row?.grant_payload && typeof grantId === 'string') memo()?.grants.set(grantId, row.grant_payload);
      return token;
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const rows = await statements.query<{ payload: AdapterPayload; consumed_at: Date | null }>(
        `SELECT payload, consumed_at FROM oidc_payload WHERE kind = $1 AND ${column} = $2 AND ${liveCondition()}`,
        [this.kind, value],
      );
      return rows[0] && this.live(rows[0]);
    }

    /** The payload the provider gets for a stored row, or undefined when the client's not-before voids it. */
    private live(row: { payload: AdapterPayload; consumed_at: Date | null }): AdapterPayload | undefined {
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
