import { createDataSource } from '@payer-access/database';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import type { DataSource, QueryRunner } from 'typeorm';
import { QueueWorker, type QueueOutcome, type QueueWorkerOptions } from './queue-worker';

// Real PostgreSQL: claiming, locking, retry bookkeeping and wake-ups are the database's doing, so
// they are checked against it, on a table of the test's own with the queue columns.
jest.setTimeout(30_000);

interface Job {
  id: string;
  attempts: number;
  label: string;
}

const backoff = { initialMs: 400, maxMs: 2_000, factor: 2, jitter: 0 };

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe(QueueWorker.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const workers: QueueWorker<Job>[] = [];

  const worker = (handle: (rows: Job[], runner: QueryRunner) => Promise<QueueOutcome<Job>>, options: Partial<QueueWorkerOptions<Job>> = {}) => {
    const created = new QueueWorker<Job>({
      dataSource,
      table: 'job',
      name: 'Test queue',
      claim: { columns: 'q.id, q.attempts, q.label' },
      handle,
      backoff,
      ...options,
    });
    workers.push(created);
    return created;
  };
  const allDone = async (rows: Job[]): Promise<QueueOutcome<Job>> => ({ done: rows, failed: [] });
  const add = async (...labels: string[]) => {
    for (const label of labels) await dataSource.query(`INSERT INTO job (label) VALUES ($1)`, [label]);
  };
  const jobs = (): Promise<Array<{ label: string; attempts: number; sent: boolean; last_error: string | null; wait_ms: number }>> =>
    dataSource.query(
      `SELECT label, attempts, sent_at IS NOT NULL AS sent, last_error,
              greatest(0, round(extract(epoch FROM next_attempt_at - now()) * 1000))::int AS wait_ms
       FROM job ORDER BY id`,
    );

  beforeAll(async () => {
    database = await createTestDatabase('pa_queue');
    dataSource = createDataSource({ url: database.url, schema: 'queue_test', poolSize: 6 });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA queue_test`);
    await dataSource.query(`
      CREATE TABLE queue_test.job (
        id bigserial PRIMARY KEY,
        label text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        last_error text
      )`);
  });

  afterEach(async () => {
    for (const created of workers.splice(0)) await created.stop();
    await dataSource.query('TRUNCATE job RESTART IDENTITY');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('refuses a table name it would have to quote', () => {
    expect(() => worker(allDone, { table: 'job; DROP TABLE job' })).toThrow(/Invalid queue table name/);
  });

  it('works off due rows oldest first, in batches, and marks each sent once', async () => {
    await add('a', 'b', 'c', 'd', 'e');
    const seen: string[][] = [];
    const queue = worker(async (rows) => {
      seen.push(rows.map((row) => row.label));
      return { done: rows, failed: [] };
    }, { batchSize: 2 });
    expect(await queue.countPending()).toBe(5);
    expect(await queue.drain()).toBe(5);
    expect(seen).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect((await jobs()).map(({ label, attempts, sent, last_error }) => ({ label, attempts, sent, last_error }))).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((label) => ({ label, attempts: 1, sent: true, last_error: null })),
    );
    expect(await queue.drain()).toBe(0);
    expect(await queue.countPending()).toBe(0);
  });

  it('records a failure and retries it only once its backoff has passed, then clears the error', async () => {
    await add('flaky');
    let fail = true;
    const queue = worker(async (rows) => (fail ? { done: [], failed: rows.map((row) => ({ row, error: new Error('SMTP 421 try later') })) } : { done: rows, failed: [] }));

    expect(await queue.processBatch()).toEqual({ claimed: 1, done: 0, failed: 1, nextRetryInMs: 400 });
    const [failed] = await jobs();
    expect(failed).toMatchObject({ attempts: 1, sent: false, last_error: 'Error: SMTP 421 try later' });
    expect(failed.wait_ms).toBeGreaterThan(0);
    expect(failed.wait_ms).toBeLessThanOrEqual(400);
    expect(await queue.processBatch()).toEqual({ claimed: 0, done: 0, failed: 0 });

    // The second failure waits twice as long.
    let retry = await queue.processBatch();
    await eventually(async () => (retry = await queue.processBatch()).claimed === 1, 5_000, 'the first retry');
    expect(retry).toEqual({ claimed: 1, done: 0, failed: 1, nextRetryInMs: 800 });
    expect((await jobs())[0]).toMatchObject({ attempts: 2, last_error: 'Error: SMTP 421 try later' });
    expect((await jobs())[0].wait_ms).toBeGreaterThan(0);

    fail = false;
    await eventually(async () => (await queue.drain()) === 1, 5_000, 'the second retry');
    expect((await jobs())[0]).toMatchObject({ attempts: 3, sent: true, last_error: null });
  });

  it('leaves a claimed row the handler neither did nor failed as it was', async () => {
    await add('keep', 'take');
    const queue = worker(async (rows) => ({ done: rows.filter((row) => row.label === 'take'), failed: [] }));
    expect(await queue.processBatch()).toEqual({ claimed: 2, done: 1, failed: 0 });
    expect((await jobs()).map(({ label, attempts, sent }) => ({ label, attempts, sent }))).toEqual([
      { label: 'keep', attempts: 0, sent: false },
      { label: 'take', attempts: 1, sent: true },
    ]);
  });

  it('claims only rows that meet its extra condition', async () => {
    await add('skip-me', 'mine');
    const queue = worker(allDone, { claim: { columns: 'q.id, q.attempts, q.label', where: `q.label <> 'skip-me'` } });
    expect(await queue.drain()).toBe(1);
    expect((await jobs()).map(({ label, sent }) => ({ label, sent }))).toEqual([
      { label: 'skip-me', sent: false },
      { label: 'mine', sent: true },
    ]);
  });

  it('skips rows another worker holds instead of waiting for them, and never hands one row to two', async () => {
    await add('held', 'free-1', 'free-2');
    const release = deferred();
    const holding = deferred();
    const first = worker(
      async (rows) => {
        holding.resolve();
        await release.promise;
        return { done: rows, failed: [] };
      },
      { batchSize: 1 },
    );
    const handledBySecond: string[] = [];
    const second = worker(async (rows) => {
      handledBySecond.push(...rows.map((row) => row.label));
      return { done: rows, failed: [] };
    });
    const firstBatch = first.processBatch();
    await holding.promise;
    expect(await second.drain()).toBe(2);
    expect(handledBySecond).toEqual(['free-1', 'free-2']);
    release.resolve();
    expect(await firstBatch).toEqual({ claimed: 1, done: 1, failed: 0 });
    expect((await jobs()).every((job) => job.sent && job.attempts === 1)).toBe(true);
  });

  it('handles each row exactly once with several workers draining in parallel', async () => {
    await add(...Array.from({ length: 60 }, (_, n) => `job-${n}`));
    const handled = new Map<string, number>();
    const handler = async (rows: Job[]) => {
      for (const row of rows) handled.set(row.label, (handled.get(row.label) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { done: rows, failed: [] };
    };
    const counts = await Promise.all([1, 2, 3].map(() => worker(handler, { batchSize: 4 }).drain()));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(60);
    expect(handled.size).toBe(60);
    expect([...handled.values()].every((times) => times === 1)).toBe(true);
  });

  it('rolls back a batch whose handler throws, and a worker that dies mid-batch leaves its rows to the next', async () => {
    await add('crash');
    const broken = worker(async () => {
      throw new Error('handler bug');
    });
    await expect(broken.processBatch()).rejects.toThrow('handler bug');
    expect((await jobs())[0]).toMatchObject({ attempts: 0, sent: false, last_error: null });

    // The process holding the row loses its connection (a crash or restart) while handling it.
    const dying = worker(async (_rows, runner) => {
      const [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid');
      await dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      return { done: [], failed: [] };
    });
    await expect(dying.processBatch()).rejects.toThrow();
    expect((await jobs())[0]).toMatchObject({ attempts: 0, sent: false });
    expect(await worker(allDone).drain()).toBe(1);
    expect((await jobs())[0]).toMatchObject({ attempts: 1, sent: true });
  });

  it('runs in the background: a notification wakes it long before its poll, and stop waits for the batch in progress', async () => {
    const handled: string[] = [];
    const queue = worker(
      async (rows) => {
        handled.push(...rows.map((row) => row.label));
        return { done: rows, failed: [] };
      },
      { pollIntervalMs: 60_000, listenChannel: (schema) => `${schema}_job` },
    );
    await queue.start();
    expect(queue.isRunning).toBe(true);
    await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO job (label) VALUES ('woken')`);
      await manager.query(`SELECT pg_notify('queue_test_job', '')`);
    });
    await eventually(async () => handled.includes('woken'), 5_000, 'the LISTEN wake-up');

    await add('nudged');
    queue.notify();
    await eventually(async () => handled.includes('nudged'), 5_000, 'notify()');
    await queue.stop();
    expect(queue.isRunning).toBe(false);
    await add('after-stop');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(handled).toEqual(['woken', 'nudged']);
  });

  it('retries a failure in the background as soon as its backoff allows, not at the next poll', async () => {
    await add('retry-me');
    let attempts = 0;
    const queue = worker(
      async (rows) => {
        attempts++;
        return attempts === 1 ? { done: [], failed: rows.map((row) => ({ row, error: 'refused' })) } : { done: rows, failed: [] };
      },
      { pollIntervalMs: 60_000 },
    );
    await queue.start();
    await eventually(async () => (await jobs())[0].sent, 5_000, 'the retry');
    expect((await jobs())[0]).toMatchObject({ attempts: 2, last_error: null });
  });

  it('purges sent rows past their retention, never unsent ones', async () => {
    await add('old-sent', 'recent-sent', 'unsent');
    await dataSource.query(`UPDATE job SET sent_at = now() - interval '8 days' WHERE label = 'old-sent'`);
    await dataSource.query(`UPDATE job SET sent_at = now() WHERE label = 'recent-sent'`);
    const queue = worker(allDone);
    expect(await queue.purgeSent(7 * 24 * 60 * 60 * 1_000)).toBe(1);
    expect((await jobs()).map((job) => job.label)).toEqual(['recent-sent', 'unsent']);
  });
});
