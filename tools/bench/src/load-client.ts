import { Agent, request } from 'node:http';
import { summarize } from './latency';

/**
 * The load generator, run as its own process so that it does not share an event loop with the
 * server it measures: `load-client.ts <url> <connections> <seconds> [bearer token]`. Prints one JSON
 * line with the rate and the p50/p99 latency of successful requests.
 */
async function main(): Promise<void> {
  const [url, connectionsText, secondsText, token] = process.argv.slice(2);
  const connections = Number(connectionsText);
  const seconds = Number(secondsText);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const latencies: number[] = [];
  let errors = 0;

  const once = () =>
    new Promise<boolean>((resolve) => {
      const call = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200));
      });
      call.on('error', () => resolve(false));
      call.end();
    });

  // Warm up connections, JIT and caches before measuring.
  const warmUntil = Date.now() + 1500;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < warmUntil) await once();
  }));

  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const before = performance.now();
        const ok = await once();
        if (ok) latencies.push(performance.now() - before);
        else errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  process.stdout.write(`${JSON.stringify(summarize(latencies, errors, elapsed))}\n`);
}

void main();
