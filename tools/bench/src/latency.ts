/** Latency statistics of one load run. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The q-quantile (0..1) of sorted samples, nearest-rank method. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function summarize(latenciesMs: number[], errors: number, seconds: number): LoadResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors,
    seconds,
    requestsPerSecond: Math.round(sorted.length / seconds),
    p50Ms: round(quantile(sorted, 0.5)),
    p99Ms: round(quantile(sorted, 0.99)),
  };
}

/** A rate as a percentage of the baseline's rate measured in the same run, to one decimal; NaN without a baseline rate. */
export function percentOf(result: Pick<LoadResult, 'requestsPerSecond'>, baseline: Pick<LoadResult, 'requestsPerSecond'>): number {
  if (!(baseline.requestsPerSecond > 0)) return Number.NaN;
  return Math.round((result.requestsPerSecond / baseline.requestsPerSecond) * 1000) / 10;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The spread of a set of latency samples (trials, round trips), in milliseconds. */
export interface LatencySpread {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function spread(latenciesMs: readonly number[]): LatencySpread {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: round(quantile(sorted, 0.5)), p99Ms: round(quantile(sorted, 0.99)), maxMs: round(sorted.at(-1) ?? Number.NaN) };
}
