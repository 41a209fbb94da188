import { quantile, spread, summarize } from './latency';

describe(quantile.name, () => {
  it('takes the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(quantile(samples, 0.5)).toBe(50);
    expect(quantile(samples, 0.99)).toBe(99);
    expect(quantile(samples, 1)).toBe(100);
    expect(quantile([7], 0.99)).toBe(7);
  });
});

describe(summarize.name, () => {
  it('sorts the samples and derives the rate', () => {
    expect(summarize([3, 1, 2, 4], 1, 2)).toEqual({ requests: 4, errors: 1, seconds: 2, requestsPerSecond: 2, p50Ms: 2, p99Ms: 4 });
  });
});

describe(spread.name, () => {
  it('gives p50, p99 and the maximum of unsorted samples', () => {
    const samples = Array.from({ length: 50 }, (_, index) => 50 - index + 0.004);
    expect(spread(samples)).toEqual({ count: 50, p50Ms: 25, p99Ms: 50, maxMs: 50 });
  });

  it('is NaN throughout for no samples', () => {
    expect(spread([])).toEqual({ count: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN });
  });
});
