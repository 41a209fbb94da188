import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { sleep } from './poll';

/** The repository root: services run from their TypeScript sources, as `npm start` does. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

export type ServiceName = 'registration' | 'authorization' | 'fhir';

export interface ServiceProcessOptions {
  name: ServiceName;
  port: number;
  /** Environment on top of the test process's own. */
  env: Record<string, string>;
  /** Where stdout and stderr go (appended across restarts). */
  logFile: string;
  /**
   * A directory `tools/build/build.js` compiled the repository into: the service then runs as its
   * image runs it, `node <buildDir>/apps/<name>/src/main.js`, rather than from its sources.
   */
  buildDir?: string;
}

/** Log lines that never explain a failure. */
const NOISE = /(RouterExplorer|RoutesResolver|InstanceLoader)|"route":"\/health|\[Nest\].*Mapped \{/;

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

/** Every child still running, killed when the test process exits however it exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One service as an operating-system process of its own: `node -r @swc-node/register
 * apps/<name>/src/main.ts`, the service's real entry point, with its output in a log file (or,
 * with `buildDir`, the compiled entry point as the image runs it).
 * SWC transpiles on load without type-checking, so a start costs a few seconds and needs no build
 * step that would rewrite dist/ under other runs (measured: ~5 s to ready, against a `tools/build`
 * of the whole repository first).
 */
export class ServiceProcess {
  readonly url: string;
  private child?: ChildProcess;
  private stopping = false;
  private startCount = 0;
  /** Exits nobody asked for: a crash. */
  readonly crashes: string[] = [];

  constructor(private readonly options: ServiceProcessOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get name(): ServiceName {
    return this.options.name;
  }

  get logFile(): string {
    return this.options.logFile;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get starts(): number {
    return this.startCount;
  }

  /** Spawns the process (does not wait for it: see `waitReady`). */
  start(): void {
    if (this.alive) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.startCount += 1;
    this.stopping = false;
    const fd = openSync(this.logFile, 'a');
    writeSync(fd, `\n===== start #${this.startCount} of ${this.name} at ${new Date().toISOString()} =====\n`);
    const { buildDir } = this.options;
    const args = buildDir ? [path.join(buildDir, `apps/${this.name}/src/main.js`)] : ['-r', '@swc-node/register', `apps/${this.name}/src/main.ts`];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...this.options.env, ...(buildDir ? {} : { TS_NODE_PROJECT: `apps/${this.name}/tsconfig.json` }) },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    running.add(child);
    child.once('exit', (code, signal) => {
      running.delete(child);
      if (!this.stopping) this.crashes.push(`${this.name} (pid ${child.pid}) exited by itself with ${signal ?? `code ${code}`} at ${new Date().toISOString()}`);
    });
    this.child = child;
  }

  /** Resolves once `/health/ready` answers 200; fails early, with the log, if the process exits. */
  async waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited before it was ready.\n${this.logTail()}`);
      const probe = await this.probeReady();
      if (probe.status === 200) return;
      last = probe.status === 0 ? 'not listening' : `${probe.status} ${probe.body}`;
      await sleep(100);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms (last: ${last}).\n${this.logTail()}`);
  }

  /** One `/health/ready` request; status 0 when nothing answers. */
  async probeReady(): Promise<{ status: number; body: string }> {
    try {
      const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: 0, body: '' };
    }
  }

  /** SIGTERM (the service closes its consumers and connections), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const lingering = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
    const killed = await Promise.race([exited.then(() => false), lingering]);
    clearTimeout(timer);
    if (killed) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** SIGKILL at once, as a crash would (`kill -9`): nothing is closed, committed or flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** The end of the log without start-up route listings and health probes, for failure messages. */
  logTail(lines = 30): string {
    if (!existsSync(this.logFile)) return `--- ${this.name}: no log at ${this.logFile}`;
    const tail = readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((line) => !NOISE.test(line))
      .slice(-lines)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join('\n');
    return `--- last ${lines} lines of ${this.logFile} (full log there)\n${tail}`;
  }
}
