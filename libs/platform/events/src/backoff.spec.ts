import { backoffDelay, sleep } from './backoff';

describe(backoffDelay.name, () => {
  const noJitter = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0 };

  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, noJitter))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
  });

  it('treats attempt 0 or less like the first retry', () => {
    expect(backoffDelay(0, noJitter)).toBe(100);
    expect(backoffDelay(-3, noJitter)).toBe(100);
  });

  it('stays finite for absurd attempt counts', () => {
    expect(backoffDelay(10_000, noJitter)).toBe(5_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, noJitter)).toBe(5_000);
  });

  it('spreads by the jitter fraction either way, never past the cap', () => {
    const options = { initialMs: 1_000, maxMs: 10_000, factor: 2, jitter: 0.2 };
    expect(backoffDelay(1, options, () => 0)).toBe(800);
    expect(backoffDelay(1, options, () => 0.5)).toBe(1_000);
    expect(backoffDelay(1, options, () => 1)).toBe(1_200);
    expect(backoffDelay(20, options, () => 1)).toBe(10_000);
    expect(backoffDelay(20, options, () => 0)).toBe(8_000);
  });
});

describe(sleep.name, () => {
  it('returns early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
