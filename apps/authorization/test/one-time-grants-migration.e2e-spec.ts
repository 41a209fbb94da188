import { createDataSource, migrateDatabase } from '@payer-access/database';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { DataSource } from 'typeorm';
import { AUTHORIZATION_SCHEMA } from '../src/app.module';
import { AUTHORIZATION_MIGRATIONS } from '../src/migrations';
import { OneTimeGrantsWithoutOfflineAccess1796139499072 } from '../src/migrations/1796139499072-one-time-grants-without-offline-access';

describe('one-time grants without offline access (migration)', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const source of sources) if (source.isInitialized) await source.destroy();
    await database?.drop();
  });

  const open = async (migrations: (new () => object)[]) => {
    const source = createDataSource({ url: database.url, schema: AUTHORIZATION_SCHEMA, migrations });
    sources.push(source);
    await migrateDatabase(source);
    return source;
  };

  it('removes offline_access from the consent and the provider grant of one-time grants only', async () => {
    const before = AUTHORIZATION_MIGRATIONS.slice(0, AUTHORIZATION_MIGRATIONS.indexOf(OneTimeGrantsWithoutOfflineAccess1796139499072));
    const old = await open(before);
    const [{ id: accountId }] = (await old.query(
      `INSERT INTO member_account (username, username_key, password_hash, patient_id) VALUES ('member', 'member', 'x', 'p1') RETURNING id`,
    )) as { id: string }[];
    const grants: [string, string, string][] = [
      ['one-time-middle', 'one_time', 'openid offline_access patient/*.read'],
      ['one-time-first', 'one_time', 'offline_access openid'],
      ['one-time-only', 'one_time', 'offline_access'],
      ['one-time-without', 'one_time', 'openid patient/*.read'],
      ['one-time-lookalike', 'one_time', 'openid offline_accessible'],
      ['thirteen-month', 'thirteen_month', 'openid offline_access patient/*.read'],
      ['research', 'research', 'openid offline_access patient/*.read'],
    ];
    for (const [grantId, type, scope] of grants) {
      await old.query(
        `INSERT INTO member_grant (grant_id, account_id, client_id, patient_id, scope, withhold_demographics, created_at, expires_at, data_access_type)
         VALUES ($1, $2, 'app', 'p1', $3, false, now(), now(), $4)`,
        [grantId, accountId, scope, type],
      );
      const oidcScope = scope.split(' ').filter((each) => !each.startsWith('patient/')).join(' ');
      const payload = { kind: 'Grant', jti: grantId, clientId: 'app', accountId, openid: { scope: oidcScope }, resources: { 'https://fhir.example/': 'patient/*.read' } };
      await old.query(`INSERT INTO oidc_payload (kind, id, payload, grant_id) VALUES ('Grant', $1, $2::jsonb, $1)`, [grantId, JSON.stringify(payload)]);
    }
    await old.destroy();

    const migrated = await open(AUTHORIZATION_MIGRATIONS);
    const consents = (await migrated.query(`SELECT grant_id, scope FROM member_grant`)) as { grant_id: string; scope: string }[];
    expect(Object.fromEntries(consents.map((row) => [row.grant_id, row.scope]))).toEqual({
      'one-time-middle': 'openid patient/*.read',
      'one-time-first': 'openid',
      'one-time-only': '',
      'one-time-without': 'openid patient/*.read',
      'one-time-lookalike': 'openid offline_accessible',
      'thirteen-month': 'openid offline_access patient/*.read',
      research: 'openid offline_access patient/*.read',
    });
    const provider = (await migrated.query(`SELECT id, payload FROM oidc_payload WHERE kind = 'Grant'`)) as { id: string; payload: { openid: { scope: string }; resources: unknown } }[];
    expect(Object.fromEntries(provider.map((row) => [row.id, row.payload.openid.scope]))).toEqual({
      'one-time-middle': 'openid',
      'one-time-first': 'openid',
      'one-time-only': '',
      'one-time-without': 'openid',
      'one-time-lookalike': 'openid offline_accessible',
      'thirteen-month': 'openid offline_access',
      research: 'openid offline_access',
    });
    // The rest of the provider's record is left as it was.
    for (const row of provider) expect(row.payload.resources).toEqual({ 'https://fhir.example/': 'patient/*.read' });
  });
});
