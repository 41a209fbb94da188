import { childrenOf, createTestDatabase, ensureKafka, kafkaServiceEnv, startClusteredEntryPoint, type TestDatabase } from '@payer-access/testing';

/**
 * AUTHORIZATION_WORKERS: the real entry point runs a worker per core with node:cluster, on one
 * port, one database and the broker, as `node apps/authorization/src/main.ts` would in production.
 */
describe('authorization service with AUTHORIZATION_WORKERS', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('pa_cluster');
    const { brokers, credentials } = await ensureKafka();
    env = {
      PROFILE: 'sandbox',
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'true',
      KAFKA_BROKERS: brokers.join(','),
      ...kafkaServiceEnv(credentials.authorization),
      AUTHORIZATION_HOST: '127.0.0.1',
      AUTHORIZATION_PORT: '0',
      AUTHORIZATION_METRICS_PORT: 'off',
      AUTHORIZATION_WORKERS: '2',
    };
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  const start = () => startClusteredEntryPoint('authorization', 2, env);

  it('starts a worker per setting on one port, both answering with the same keys, and stops them all on SIGTERM', async () => {
    const { primary, url, exited } = await start();
    const workers = childrenOf(primary.pid as number);
    expect(workers).toHaveLength(2);
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/jwks`).then(async (response) => ({ status: response.status, body: await response.text() }))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    // The keys live in the database: every worker publishes the same set (RS256 and ES256).
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect((JSON.parse(answers[0].body) as { keys: { alg: string }[] }).keys.map((key) => key.alg).sort()).toEqual(['ES256', 'ES256', 'RS256', 'RS256']);
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);

    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The primary waits for its workers: none outlives it.
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 150_000);

  it('stops the whole service with code 1 when a worker dies, for its supervisor to restart', async () => {
    const { primary, exited, output } = await start();
    const [victim, survivor] = childrenOf(primary.pid as number);
    process.kill(victim, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(output()).toContain(`worker ${victim} exited (SIGKILL); stopping the other workers`);
    expect(() => process.kill(survivor, 0)).toThrow();
  }, 150_000);
});
