import { percentOf, quantile, spread, summarize } from './latency';

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

describe(percentOf.name, () => {
  it('gives the rate as a percentage of the baseline, to one decimal', () => {
    expect(percentOf({ requestsPerSecond: 2939 }, { requestsPerSecond: 10172 })).toBe(28.9);
    expect(percentOf({ requestsPerSecond: 500 }, { requestsPerSecond: 500 })).toBe(100);
    expect(percentOf({ requestsPerSecond: 0 }, { requestsPerSecond: 800 })).toBe(0);
  });

  it('is NaN when the baseline answered nothing', () => {
    expect(percentOf({ requestsPerSecond: 10 }, { requestsPerSecond: 0 })).toBeNaN();
    expect(percentOf({ requestsPerSecond: 10 }, { requestsPerSecond: Number.NaN })).toBeNaN();
  });
});
