import { describeResult, fuzzPlatform } from './fuzz';

/**
 * The campaign at CI size: every route of the three services, malformed 800 ways, on a fixed
 * seed. `npm run fuzz` runs the full size.
 */
describe('fuzz campaign', () => {
  it('gets no server error, no leak and no silence from 800 malformed requests, and leaves every service healthy', async () => {
    const result = await fuzzPlatform({ seed: 20261201, count: 800, seconds: 90, concurrency: 4 });
    const { report, health } = result;
    if (report.findings.length > 0 || health.length > 0) process.stdout.write(`${describeResult(result)}\n`);
    expect(report.findings).toEqual([]);
    expect(health).toEqual([]);
    expect(report.sent).toBe(800);
    // Every mutation was tried and every service answered.
    for (const [kind, count] of Object.entries(report.byKind)) expect([kind, count > 0]).toEqual([kind, true]);
    for (const service of ['registration', 'authorization', 'fhir']) {
      expect(Object.keys(report.statuses).some((key) => key.startsWith(`${service} 4`))).toBe(true);
    }
  }, 240_000);
});
