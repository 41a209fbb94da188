import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { describeResult, fuzzPlatform } from './fuzz';

/**
 * `npm run fuzz [-- --seed 1 --count 13500 --seconds 900 --concurrency 4]`: the full campaign
 * against the one-process platform on 127.0.0.1. Exits 1 on any 5xx, leak, unanswered request or
 * unhealthy service; the seed replays a campaign request for request.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      count: { type: 'string', default: '13500' },
      seconds: { type: 'string', default: '900' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  const result = await fuzzPlatform({
    seed: Number(values.seed),
    count: Number(values.count),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    log: (message) => process.stdout.write(`[fuzz] ${message}\n`),
  });
  process.stdout.write(`${describeResult(result)}\n`);
  process.exit(result.report.findings.length === 0 && result.health.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
