import { Agent, request as httpRequest } from 'node:http';
import type { ServiceName } from './local-platform';
import { SeededRandom } from '@payer-access/synthetic-data';
import { type FuzzContext, type FuzzRequest, MUTATION_KINDS, type MutationKind, RequestGenerator } from './request-generator';
import type { Route } from './route-catalog';

export interface CampaignOptions {
  readonly seed: number;
  /** Requests to send at most. */
  readonly count: number;
  /** Stops sending after this long, whatever the count. */
  readonly seconds: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly urls: Readonly<Record<ServiceName, string>>;
  readonly routes: readonly Route[];
  readonly context: FuzzContext;
  /** Called every 1,000 requests. */
  readonly progress?: (sent: number) => void;
}

export interface Finding {
  readonly request: Omit<FuzzRequest, 'body'> & { readonly bodyBytes: number; readonly bodyStart?: string };
  readonly problem: string;
  readonly status?: number;
  readonly excerpt?: string;
}

export interface CampaignReport {
  readonly seed: number;
  readonly sent: number;
  readonly seconds: number;
  /** Answers by service and status. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly byKind: Readonly<Record<MutationKind, number>>;
  /** Connections the server closed while a body over its limit was still being sent (after answering). */
  readonly closedEarly: number;
  /** Requests Node's client refused to write at all: they reached no service. */
  readonly unsendable: number;
  readonly findings: readonly Finding[];
  readonly routes: number;
}

/**
 * What must never be in an answer: stack frames, source paths, database error text or SQL. A
 * response body is read up to its first 64 KiB.
 */
const LEAKS: ReadonlyArray<[string, RegExp]> = [
  ['stack trace', /\bat (?:async )?[\w$.<>[\]]+ \([^)]*:\d+:\d+\)|\n\s+at [^\n]+:\d+:\d+/],
  ['source path', /node_modules\/|\/src\/[\w/.-]+\.[jt]s\b|webpack:|file:\/\//],
  ['database error', /QueryFailedError|syntax error at or near|invalid input syntax for|violates [\w-]+ constraint|duplicate key value|invalid byte sequence for encoding|unterminated quoted|relation "[\w.]+" does not exist|column "\w+" does not exist|date\/time field value out of range|out of range for type/i],
  ['SQL text', /\b(?:SELECT\s+[\w*",. ()]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\s+["\w.]+/i],
];

const BODY_LIMIT_FOR_RESETS = 100 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;
const EXCERPT = 400;
const MAX_FINDINGS = 200;

/** Sends a seeded campaign of malformed requests to 127.0.0.1 only and reports every 5xx, leak or unanswered request. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  for (const url of Object.values(options.urls)) {
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`the campaign sends to 127.0.0.1 only, not ${url}`);
  }
  const generator = new RequestGenerator(new SeededRandom(options.seed), options.routes, options.context);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const statuses: Record<string, number> = {};
  const byKind = Object.fromEntries(MUTATION_KINDS.map((kind) => [kind, 0])) as Record<MutationKind, number>;
  const findings: Finding[] = [];
  let closedEarly = 0;
  let unsendable = 0;
  let next = 0;
  const started = Date.now();
  const deadline = started + options.seconds * 1000;

  const worker = async (): Promise<void> => {
    while (next < options.count && Date.now() < deadline) {
      const index = next++;
      // Generated in order on one generator: the same seed gives the same requests whatever the timing.
      const fuzz = generator.next(index);
      byKind[fuzz.kind] += 1;
      let answer = await send(agent, options.urls[fuzz.service], fuzz);
      // A kept-alive connection the server closed as it idled is the client's race, not an answer: send again once.
      if ('error' in answer && answer.error.startsWith(REUSED_SOCKET_RESET)) answer = await send(agent, options.urls[fuzz.service], fuzz);
      if (index > 0 && index % 1000 === 0) options.progress?.(index);
      if ('error' in answer) {
        if (answer.error.startsWith(UNSENDABLE)) {
          unsendable += 1;
          continue;
        }
        if ((fuzz.body?.length ?? 0) > BODY_LIMIT_FOR_RESETS && /ECONNRESET|EPIPE/.test(answer.error)) {
          closedEarly += 1;
          continue;
        }
        record(findings, fuzz, `no answer: ${answer.error}`);
        continue;
      }
      const key = `${fuzz.service} ${answer.status}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (answer.status >= 500) record(findings, fuzz, `answered ${answer.status}`, answer.status, answer.body);
      for (const [what, pattern] of LEAKS) {
        if (pattern.test(answer.body)) record(findings, fuzz, `the answer holds ${what}`, answer.status, answer.body);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  agent.destroy();
  return { seed: options.seed, sent: next, seconds: (Date.now() - started) / 1000, statuses, byKind, closedEarly, unsendable, findings, routes: options.routes.length };
}

function record(findings: Finding[], fuzz: FuzzRequest, problem: string, status?: number, body?: string): void {
  if (findings.length >= MAX_FINDINGS) return;
  const { body: sent, ...request } = fuzz;
  findings.push({
    request: { ...request, bodyBytes: sent?.length ?? 0, ...(sent ? { bodyStart: sent.subarray(0, 120).toString('latin1') } : {}) },
    problem,
    ...(status === undefined ? {} : { status }),
    ...(body === undefined ? {} : { excerpt: body.slice(0, EXCERPT) }),
  });
}

type Answer = { status: number; body: string } | { error: string };

const UNSENDABLE = 'unsendable:';
const REUSED_SOCKET_RESET = 'reset on a reused connection:';

function send(agent: Agent, baseUrl: string, fuzz: FuzzRequest): Promise<Answer> {
  const base = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Answer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const headers: Record<string, string | number> = { ...fuzz.headers };
    if (fuzz.body) headers['content-length'] = fuzz.body.length;
    let outgoing;
    try {
      outgoing = httpRequest({ agent, host: '127.0.0.1', port: Number(base.port), method: fuzz.method, path: fuzz.path, headers, timeout: REQUEST_TIMEOUT_MS }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < 65_536) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => done({ error: error.message }));
      });
    } catch (error) {
      // Node refuses to write some request lines (unescaped characters, a bad method token): nothing reaches a service.
      done({ error: `${UNSENDABLE} ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    outgoing.on('timeout', () => {
      outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    });
    const sent = outgoing;
    sent.on('error', (error: NodeJS.ErrnoException) => {
      const reused = sent.reusedSocket && error.code === 'ECONNRESET' ? `${REUSED_SOCKET_RESET} ` : '';
      done({ error: `${reused}${error.code ?? ''} ${error.message}`.trim() });
    });
    outgoing.end(fuzz.body);
  });
}
