import cluster, { type Worker } from 'node:cluster';

const READY = 'payer-access.worker-ready';

export interface WorkerLog {
  log(message: string): void;
  error(message: string): void;
}

/**
 * Runs `start` in `workers` processes of `node:cluster`, which share the listening ports: one event
 * loop per core instead of one for the whole service (the services keep no state another instance
 * needs, so workers are instances like compose replicas). One worker starts first and the others
 * once it is listening, so that database migrations and sandbox seeding run once, not in a race.
 * A worker that dies takes the service down (every worker is stopped, exit code 1): the supervisor
 * that restarts a crashed single-process service restarts this one too. SIGTERM and SIGINT are
 * passed to the workers, which shut down as a single process would.
 *
 * With `workers` 1 (or in a worker) this only runs `start` in this process.
 */
export async function runWorkers(workers: number, start: () => Promise<void>, log: WorkerLog = console): Promise<void> {
  if (workers <= 1) return start();
  if (cluster.isWorker) {
    await start();
    process.send?.({ type: READY });
    return;
  }
  let stopping = false;
  const alive = new Set<Worker>();
  const stop = (signal: NodeJS.Signals, code: number) => {
    if (stopping) return;
    stopping = true;
    for (const worker of alive) worker.process.kill(signal);
    const exit = () => (alive.size === 0 ? process.exit(code) : undefined);
    cluster.on('exit', exit);
    exit();
  };
  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker);
    if (!stopping) {
      log.error(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); stopping the other workers`);
      stop('SIGTERM', 1);
    }
  });
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));

  const fork = () =>
    new Promise<void>((resolve) => {
      const worker = cluster.fork();
      alive.add(worker);
      worker.on('message', (message: { type?: string }) => {
        if (message?.type === READY) resolve();
      });
    });
  await fork();
  await Promise.all(Array.from({ length: workers - 1 }, fork));
  log.log(`${workers} workers listening (primary ${process.pid})`);
}
