import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { DataSource } from 'typeorm';
import { PreparedStatements } from './prepared-statements';

describe(PreparedStatements.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({ type: 'postgres', url: database.url, poolSize: 1 });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const prepared = async (): Promise<string[]> =>
    (await dataSource.query(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'fhir\\_%' ORDER BY name`)).map((row: { name: string }) => row.name);

  it('prepares each statement shape once per connection and answers with its rows', async () => {
    const sut = new PreparedStatements(dataSource);
    for (const value of [1, 2, 3]) {
      expect(await sut.query('SELECT $1::int * 2 AS doubled', [value])).toEqual([{ doubled: value * 2 }]);
    }
    expect(await prepared()).toHaveLength(1);
  });

  it('names at most 256 shapes; further ones run unnamed and still answer', async () => {
    const sut = new PreparedStatements(dataSource);
    for (let shape = 0; shape < 300; shape += 1) {
      expect(await sut.query(`SELECT $1::int + ${shape} AS answer`, [1])).toEqual([{ answer: shape + 1 }]);
    }
    // One pooled connection: the first test's statement plus this test's first 256 shapes.
    expect(await prepared()).toHaveLength(1 + 256);
  });
});
