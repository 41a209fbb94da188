export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per attempt. */
  factor?: number;
  /** Spread as a fraction of the delay (0.2: ±20 %), so that many instances do not retry in step. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (1 for the first retry): `initialMs · factor^(attempt-1)`,
 * capped at `maxMs`, with symmetric jitter that never exceeds the cap. `random` is injectable for tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0;
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // Compare exponents, not products, so a huge attempt count cannot overflow to Infinity/NaN.
  const base =
    exponent * Math.log(factor) >= Math.log(options.maxMs / Math.max(options.initialMs, 1e-9))
      ? options.maxMs
      : Math.min(options.maxMs, options.initialMs * factor ** exponent);
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.min(options.maxMs, Math.round(base + spread)));
}

/** Resolves after `ms`, or at once when `signal` aborts (without rejecting: callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
