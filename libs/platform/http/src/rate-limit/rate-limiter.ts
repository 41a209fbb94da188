/**
 * Request rate limits (fixed windows) with the headers clients already know from Blue Button 2.0:
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (seconds until the window
 * ends) and, on a refusal, `429` with `Retry-After`.
 *
 * Counters sit behind {@link RateLimitStore}. {@link MemoryRateLimitStore} counts in the process,
 * so with N instances behind a balancer a key gets up to N times its limit; a deployment that needs
 * exact limits across instances plugs in a shared store (PostgreSQL `INSERT … ON CONFLICT DO UPDATE
 * … RETURNING`, or Redis INCR + PEXPIRE) with the same one-method port.
 */
export interface RateLimitStore {
  /** Counts one hit on `key` and returns the count within its current window and when the window ends (epoch ms). */
  hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>;
}

export interface RateLimitRule {
  /** Names the limit in keys (e.g. `token:address`). */
  readonly name: string;
  /** What is counted: a client address, a client_id… */
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window that decided ends. */
  readonly resetSeconds: number;
}

const MAX_KEYS = 100_000;

/** In-process counters, bounded: ended windows are swept, and the oldest keys go first when full. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweep = 0;

  async hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    if (now >= this.nextSweep) this.sweep(now, windowMs);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      else if (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string);
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetAt: window.resetAt };
  }

  private sweep(now: number, windowMs: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    this.nextSweep = now + windowMs;
  }
}

export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore = new MemoryRateLimitStore(),
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Counts the request against every rule, in order, and stops at the first that refuses it; the
   * decision reported is the refusing rule's, or else the one with the fewest requests left.
   */
  async consume(rules: readonly RateLimitRule[]): Promise<RateLimitDecision | undefined> {
    const now = this.clock();
    let tightest: RateLimitDecision | undefined;
    for (const rule of rules) {
      const { count, resetAt } = await this.store.hit(`${rule.name}\0${rule.key}`, rule.windowSeconds * 1000, now);
      const decision: RateLimitDecision = {
        allowed: count <= rule.limit,
        limit: rule.limit,
        remaining: Math.max(0, rule.limit - count),
        resetSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
      };
      if (!decision.allowed) return decision;
      if (!tightest || decision.remaining < tightest.remaining) tightest = decision;
    }
    return tightest;
  }
}

/** The headers a response carries for a decision; `Retry-After` only on a refusal. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(decision.resetSeconds),
    ...(decision.allowed ? {} : { 'Retry-After': String(decision.resetSeconds) }),
  };
}
