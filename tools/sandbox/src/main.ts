import 'reflect-metadata';
import { ConfigValidationError } from '@payer-access/config';
import { startSandbox, type RunningSandbox } from './sandbox';

/**
 * `npm start`: the whole platform in one process on the sandbox defaults — a real PostgreSQL
 * (embedded unless DATABASE_URL is given), the three services on 3001/3002/3003 and the web
 * portal on 3004.
 */
async function main(): Promise<void> {
  const began = performance.now();
  let running: RunningSandbox | undefined;
  let stopping = false;
  const stop = async (reason: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping`);
    await running?.stop().catch(() => undefined);
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    running = await startSandbox({ log });
  } catch (error) {
    if (error instanceof ConfigValidationError) throw error;
    log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    await stop('startup failure', 1);
    return;
  }
  log(`payer-access sandbox is running (Ctrl-C stops it), started in ${Math.round(performance.now() - began)} ms`);
  for (const [name, url] of Object.entries(running.urls)) {
    log(name === 'portal' ? `  ${name.padEnd(14)} ${url}   (web UI for vendors, payers and plan staff)` : `  ${name.padEnd(14)} ${url}   health ${url}/health   docs ${url}/docs`);
  }
  if (running.sampleAppUrl) log(`  ${'sample app'.padEnd(14)} ${running.sampleAppUrl}   (a SMART app in the browser: standalone launch as BCNCUser03)`);
}

function log(message: string): void {
  process.stdout.write(`[sandbox] ${message}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
