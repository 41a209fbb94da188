import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SensitiveCodeList } from '@payer-access/fhir-models';
import type { InputBatch, PreparedLoadBatch } from './copy-batch';

/** What a worker needs to check and index as the service does. */
export interface LoadWorkerData {
  /** The service's FHIR_PUBLIC_URL: its search registry depends on it (`createFhirSearchRegistry`). */
  readonly publicUrl: string;
  readonly supportedTypes: readonly string[];
  readonly sensitiveCodes: SensitiveCodeList;
}

export interface LoadWorkerRequest {
  readonly id: number;
  /** Items, or NDJSON bytes the worker splits itself (`itemsOf`). */
  readonly input: InputBatch;
  /** ISO instant stamped on resources without `meta.lastUpdated`. */
  readonly now: string;
  /** The batch's `seq` values, one per item (see `prepareLoadBatch`). */
  readonly seqs: readonly string[];
}

export type LoadWorkerReply = { readonly id: number; readonly batch: PreparedLoadBatch } | { readonly id: number; readonly error: string };

interface Task {
  readonly resolve: (batch: PreparedLoadBatch) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Worker threads that prepare load batches (parse, label, index, format for COPY) while the main
 * thread reads input and streams the previous batches to PostgreSQL. Batches go to the worker with
 * the fewest in hand; answers come back by id, so the caller keeps input order itself.
 */
export class LoadWorkerPool {
  private readonly workers: { worker: Worker; tasks: Map<number, Task>; stopped: boolean }[] = [];
  private nextId = 0;

  constructor(size: number, data: LoadWorkerData) {
    // The sources run as TypeScript in development and tests, compiled to JavaScript in images.
    const script = path.join(__dirname, `load-worker${path.extname(__filename)}`);
    const typescript = script.endsWith('.ts');
    for (let index = 0; index < size; index += 1) {
      const worker = new Worker(script, {
        workerData: data,
        // A batch needs a few tens of MB; without a bound each thread's heap grows to the process's
        // defaults. A batch's garbage (parsed lines, their JSON and COPY text) fits a 48 MB young
        // generation (16 MB semi-spaces, the main thread's default): at 16 MB more of it survived to be
        // collected again, and preparing a batch took about 5 % more CPU.
        resourceLimits: { maxYoungGenerationSizeMb: 48, maxOldGenerationSizeMb: 256 },
        ...(typescript ? { execArgv: ['-r', '@swc-node/register'], env: { ...process.env, TS_NODE_PROJECT: path.resolve(__dirname, '../../tsconfig.json') } } : {}),
      });
      const entry = { worker, tasks: new Map<number, Task>(), stopped: false };
      const { tasks } = entry;
      const fail = (error: Error) => {
        entry.stopped = true;
        for (const task of tasks.values()) task.reject(error);
        tasks.clear();
      };
      worker.on('message', (reply: LoadWorkerReply) => {
        const task = tasks.get(reply.id);
        if (!task) return;
        tasks.delete(reply.id);
        if ('error' in reply) task.reject(new Error(reply.error));
        else task.resolve(reply.batch);
      });
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`load worker stopped (exit code ${code})`)));
      this.workers.push(entry);
    }
  }

  prepare(input: InputBatch, now: Date, seqs: readonly string[]): Promise<PreparedLoadBatch> {
    const running = this.workers.filter((candidate) => !candidate.stopped);
    if (running.length === 0) return Promise.reject(new Error('no load worker is running'));
    const least = running.reduce((best, candidate) => (candidate.tasks.size < best.tasks.size ? candidate : best));
    const id = (this.nextId += 1);
    return new Promise<PreparedLoadBatch>((resolve, reject) => {
      least.tasks.set(id, { resolve, reject });
      // NDJSON bytes are copied, not moved: the main thread keeps them in case the batch must be retried.
      least.worker.postMessage({ id, input, now: now.toISOString(), seqs } satisfies LoadWorkerRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
