import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { summarize } from './latency';

/**
 * The load generator, run as its own process so that it does not share an event loop with the
 * server it measures: `load-client.ts <url> <connections> <seconds> [bearer token] [bodies.json]`.
 * With a bodies file (a JSON array), each request is a POST of the next body in turn as
 * `application/fhir+json`; without one, a GET. Prints one JSON line with the rate and the p50/p99
 * latency of successful (200) requests, and how many succeeded during the warm-up.
 */
async function main(): Promise<void> {
  const [url, connectionsText, secondsText, token, bodiesFile] = process.argv.slice(2);
  const connections = Number(connectionsText);
  const seconds = Number(secondsText);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const bodies = bodiesFile ? (JSON.parse(readFileSync(bodiesFile, 'utf8')) as unknown[]).map((body) => Buffer.from(JSON.stringify(body))) : [];
  let sent = 0;
  let warmupRequests = 0;
  const latencies: number[] = [];
  let errors = 0;

  const once = () =>
    new Promise<boolean>((resolve) => {
      const body = bodies.length > 0 ? bodies[sent++ % bodies.length] : undefined;
      const options = body
        ? { method: 'POST', headers: { ...headers, 'content-type': 'application/fhir+json', 'content-length': String(body.length) } }
        : { method: 'GET', headers };
      const call = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent, ...options }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200));
      });
      call.on('error', () => resolve(false));
      call.end(body);
    });

  // Warm up connections, JIT and caches before measuring.
  const warmUntil = Date.now() + 1500;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < warmUntil) if (await once()) warmupRequests += 1;
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
  process.stdout.write(`${JSON.stringify({ ...summarize(latencies, errors, elapsed), warmupRequests })}\n`);
}

void main();
