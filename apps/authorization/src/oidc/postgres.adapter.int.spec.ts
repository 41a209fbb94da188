import { AsyncLocalStorage } from 'node:async_hooks';
import { createDataSource, migrateDatabase } from '@payer-access/database';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { AdapterPayload } from 'oidc-provider';
import type { DataSource } from 'typeorm';
import { AUTHORIZATION_MIGRATIONS } from '../migrations';
import { postgresAdapterFactory } from './postgres.adapter';

class Replay extends Error {}

describe('PostgresAdapter', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  /** The request the adapter sees as current (oidc-provider's `Provider.ctx` in the service, an AsyncLocalStorage too). */
  const requests = new AsyncLocalStorage<object>();
  const inRequest = <T>(work: () => Promise<T>): Promise<T> => requests.run({}, work);
  const replays: (string | undefined)[] = [];
  let Adapter: ReturnType<typeof postgresAdapterFactory>;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url, schema: 'authorization', migrations: AUTHORIZATION_MIGRATIONS, entities: [] });
    await dataSource.initialize();
    await migrateDatabase(dataSource);
    Adapter = postgresAdapterFactory(dataSource, {
      findClient: async () => undefined,
      onReplay: async (_kind, grantId) => {
        replays.push(grantId);
        throw new Replay('replayed');
      },
      revocationReason: () => 'refresh_token_replayed',
      currentRequest: () => requests.getStore(),
    });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const token = (grantId: string): AdapterPayload => ({ clientId: 'app', grantId, iat: Math.floor(Date.now() / 1000), kind: 'RefreshToken' });
  const stored = (id: string) => dataSource.query(`SELECT id, consumed_at FROM oidc_payload WHERE kind = 'RefreshToken' AND id = $1`, [id]);

  it('reads a refresh token with its Grant in one query, and hands the Grant to the same request once', async () => {
    const refreshTokens = new Adapter('RefreshToken');
    const grants = new Adapter('Grant');
    await grants.upsert('grant-1', { accountId: 'member', clientId: 'app', kind: 'Grant', jti: 'grant-1' }, 3600);
    await refreshTokens.upsert('rt-1', token('grant-1'), 3600);

    await inRequest(async () => {
      expect(await refreshTokens.find('rt-1')).toMatchObject({ grantId: 'grant-1' });
      // Gone from the table, still the one read with the token in this request; the next asks the table.
      await dataSource.query(`DELETE FROM oidc_payload WHERE kind = 'Grant' AND id = 'grant-1'`);
      expect(await grants.find('grant-1')).toMatchObject({ jti: 'grant-1' });
      expect(await grants.find('grant-1')).toBeUndefined();
    });
    expect(await inRequest(() => grants.find('grant-1'))).toBeUndefined();
  });

  it('consumes a rotated refresh token with the insert of its successor, once', async () => {
    const refreshTokens = new Adapter('RefreshToken');
    await refreshTokens.upsert('rt-old', token('grant-2'), 3600);

    await inRequest(async () => {
      await refreshTokens.consume('rt-old');
      expect((await stored('rt-old'))[0].consumed_at).toBeNull();
      await refreshTokens.upsert('rt-new', token('grant-2'), 3600);
    });
    expect((await stored('rt-old'))[0].consumed_at).toBeInstanceOf(Date);
    expect(await stored('rt-new')).toHaveLength(1);

    // A second rotation of the same token (a parallel request that passed the provider's check)
    // stores nothing and is handled as a replay of the grant.
    const fork = inRequest(async () => {
      await refreshTokens.consume('rt-old');
      await refreshTokens.upsert('rt-fork', token('grant-2'), 3600);
    });
    await expect(fork).rejects.toBeInstanceOf(Replay);
    expect(await stored('rt-fork')).toEqual([]);
    expect(replays).toEqual(['grant-2']);
  });

  it('of parallel rotations of one refresh token, exactly one stores a successor', async () => {
    const refreshTokens = new Adapter('RefreshToken');
    await refreshTokens.upsert('rt-raced', token('grant-3'), 3600);
    const rotate = (successor: string) =>
      inRequest(async () => {
        await refreshTokens.consume('rt-raced');
        await refreshTokens.upsert(successor, token('grant-3'), 3600);
      });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, index) => rotate(`rt-successor-${index}`)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const successors: unknown[] = await dataSource.query(`SELECT id FROM oidc_payload WHERE kind = 'RefreshToken' AND id LIKE 'rt-successor-%'`);
    expect(successors).toHaveLength(1);
  });

  it('consumes at once outside a request, and refuses a second consumption as a replay', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('code-1', { clientId: 'app', grantId: 'grant-4', kind: 'AuthorizationCode', iat: Math.floor(Date.now() / 1000) }, 60);
    await codes.consume('code-1');
    expect(await codes.find('code-1')).toMatchObject({ consumed: expect.any(Number) });
    await expect(codes.consume('code-1')).rejects.toBeInstanceOf(Replay);
  });
});
