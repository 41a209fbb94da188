import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface EntryPointRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `apps/<app>/src/main.ts` as a process of its own, with only `env` (plus what Node needs to find itself). */
function spawnEntryPoint(app: string, env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['-r', '@swc-node/register', `apps/${app}/src/main.ts`], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', TS_NODE_PROJECT: `apps/${app}/tsconfig.json`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs a service's real entry point (`apps/<app>/src/main.ts`) as a process of its own, with only
 * the environment given (plus what Node needs to find itself), and collects its exit and output.
 * A process still running after `timeoutMs` is killed, which the caller sees as a null code.
 */
export function runEntryPoint(app: string, env: Record<string, string>, timeoutMs = 60_000): Promise<EntryPointRun> {
  return new Promise((resolve, reject) => {
    const child = spawnEntryPoint(app, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A service's entry point running as `workers` node:cluster workers (see `startClusteredEntryPoint`). */
export interface ClusteredEntryPoint {
  readonly primary: ChildProcess;
  /** The one URL every worker listens on. */
  readonly url: string;
  /** Everything the primary and its workers wrote so far. */
  output(): string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts a service's real entry point (`apps/<app>/src/main.ts`) with its `*_WORKERS` setting in
 * `env`, and waits until the primary says all `workers` listen. Each worker logs the URL it listens
 * on (`<app> service listening on http://…`); with port 0 the primary picks one port for all.
 */
export async function startClusteredEntryPoint(app: string, workers: number, env: Record<string, string>, timeoutMs = 90_000): Promise<ClusteredEntryPoint> {
  const primary = spawnEntryPoint(app, env);
  let output = '';
  primary.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  primary.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(`${workers} workers listening`)) {
    if (primary.exitCode !== null || Date.now() > deadline) {
      primary.kill('SIGKILL');
      throw new Error(`the clustered ${app} service did not start:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const listening = [...output.matchAll(new RegExp(`${app} service listening on (http://[\\d.]+:\\d+)`, 'g'))].map((match) => match[1]);
  const urls = new Set(listening);
  if (listening.length !== workers || urls.size !== 1) throw new Error(`expected ${workers} workers listening on one URL, got: ${listening.join(', ')}`);
  return { primary, url: [...urls][0], output: () => output, exited };
}
