import { Client } from 'pg';
import { createTestDatabase } from './postgres';

describe('createTestDatabase', () => {
  it('creates an empty database of its own on the real server and drops it', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    expect(first.url).not.toEqual(second.url);

    const client = new Client({ connectionString: first.url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();
    expect(first.url.endsWith(`/${rows[0].db}`)).toBe(true);

    await first.drop();
    await second.drop();
    const probe = new Client({ connectionString: first.url });
    await expect(probe.connect()).rejects.toThrow(/does not exist/);
    await probe.end().catch(() => undefined);
  });
});
