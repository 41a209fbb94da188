import { setTimeout as delay } from 'node:timers/promises';

export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

export interface PollOptions {
  /** What is awaited, for the failure message ("the FHIR API to reject the token"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Calls `check` until it returns something other than undefined/false, or fails after the
 * deadline with the last observation. Replaces sleeps: a wait lasts exactly as long as needed.
 */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${last}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** A value set in `beforeAll`; a clear failure instead of a TypeError when the setup failed. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not available: beforeAll failed (see its error above)`);
  return value;
}
