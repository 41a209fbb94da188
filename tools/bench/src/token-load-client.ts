import { createPrivateKey, randomUUID, sign, type JsonWebKey } from 'node:crypto';
import { Agent, request } from 'node:http';
import { summarize, type LoadResult } from './latency';

/** What the load generator reads from its stdin (kept off the command line: it holds credentials). */
export interface TokenLoadJob {
  /** The token endpoint. */
  readonly url: string;
  /** The `Authorization` header of the client (HTTP Basic), if any. */
  readonly authorization?: string;
  readonly seconds: number;
  /** One refresh token per connection: each connection carries a rotation chain of its own. */
  readonly refreshTokens: readonly string[];
  /**
   * Instead of refresh tokens: `client_credentials` at `connections` connections, each request
   * authenticated by a new client assertion (`private_key_jwt`, SMART Backend Services).
   */
  readonly clientCredentials?: BackendClient;
}

/** A Backend Services client: its id, its private key (an ES384 JWK) and the scopes it asks for. */
export interface BackendClient {
  readonly clientId: string;
  readonly privateJwk: JsonWebKey & { kid?: string };
  readonly scope: string;
  readonly connections: number;
  /**
   * Assertions signed before the clock starts (ES384 signing costs the load generator about as
   * much CPU as the service's check): more are signed on demand. Unset: one assertion is signed
   * and sent every time, for a bare server that reads the form and checks nothing.
   */
  readonly presigned?: number;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * A client assertion (RFC 7523) for `audience`, signed ES384 with a fresh `jti`, as a payer's
 * backend signs one per token request (each is single-use).
 */
export function clientAssertion(client: Pick<BackendClient, 'clientId' | 'privateJwk'>, audience: string, key = createPrivateKey({ key: client.privateJwk, format: 'jwk' })): string {
  const signingInput = assertionSigningInput(client, audience);
  return `${signingInput}.${sign('sha384', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** {@link clientAssertion}, signed on the libuv thread pool. */
function clientAssertionAsync(client: BackendClient, audience: string, key = createPrivateKey({ key: client.privateJwk, format: 'jwk' })): Promise<string> {
  const signingInput = assertionSigningInput(client, audience);
  return new Promise((resolve, reject) =>
    sign('sha384', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }, (error, signature) => (error ? reject(error) : resolve(`${signingInput}.${signature.toString('base64url')}`))),
  );
}

function assertionSigningInput(client: Pick<BackendClient, 'clientId' | 'privateJwk'>, audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'ES384', kid: client.privateJwk.kid, typ: 'JWT' });
  const claims = encode({ iss: client.clientId, sub: client.clientId, aud: audience, jti: randomUUID(), iat: now, exp: now + 240 });
  return `${header}.${claims}`;
}

export interface TokenLoadResult extends LoadResult {
  /** Connections whose chain broke (an answer without a usable refresh token); they stopped. */
  readonly brokenChains: number;
  /** Successful requests of the warm-up, not counted in `requests` (the service did their work too). */
  readonly warmupRequests: number;
  /** The refresh token each chain ended with ('' for a broken chain): a later run continues from them. */
  readonly chains: readonly string[];
}

/**
 * The token endpoint's load generator, run as its own process like load-client.ts:
 * `token-load-client.ts < job.json`. Each connection POSTs `grant_type=refresh_token` with its own
 * refresh token and continues with the token each answer rotates to, as an app must (presenting a
 * rotated token again revokes the grant); or, for a Backend Services client, `client_credentials`
 * with a new signed assertion each time. Prints one JSON line: rate, p50/p99 of successful
 * requests, errors (the warm-up's included: each one breaks a chain) and broken chains.
 */
async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as TokenLoadJob;
  const backend = job.clientCredentials;
  const assertionKey = backend ? createPrivateKey({ key: backend.privateJwk, format: 'jwk' }) : undefined;
  const assertions = backend ? await presign(backend, job.url, assertionKey) : [];
  const nextAssertion = (): string => {
    if (backend?.presigned === undefined) return assertions[0];
    return assertions.pop() ?? clientAssertion(backend, job.url, assertionKey);
  };
  const connections = backend ? backend.connections : job.refreshTokens.length;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(job.url);
  const latencies: number[] = [];
  let errors = 0;
  let brokenChains = 0;
  let warmupRequests = 0;

  /** One refresh; resolves with the next token of the chain, or undefined when the answer was not a success. */
  const refresh = (refreshToken: string) =>
    new Promise<string | undefined>((resolve) => {
      const body = backend
        ? new URLSearchParams({ grant_type: 'client_credentials', scope: backend.scope, client_assertion_type: ASSERTION_TYPE, client_assertion: nextAssertion() }).toString()
        : `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}`;
      const headers: Record<string, string | number> = {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        ...(job.authorization ? { authorization: job.authorization } : {}),
      };
      const call = request({ method: 'POST', host: target.hostname, port: target.port, path: target.pathname, agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) return resolve(undefined);
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { access_token?: unknown; refresh_token?: unknown };
            if (typeof answer.access_token !== 'string') return resolve(undefined);
            // A server that does not rotate answers without a refresh token: the old one stays valid.
            resolve(typeof answer.refresh_token === 'string' ? answer.refresh_token : refreshToken);
          } catch {
            resolve(undefined);
          }
        });
      });
      call.on('error', () => resolve(undefined));
      call.end(body);
    });

  // A Backend Services client has no chain: each connection just goes on ('-' stands for "no token").
  const chains = backend ? Array.from({ length: connections }, () => '-') : [...job.refreshTokens];
  /** Runs connection `index` until the deadline or until its chain breaks (an '' in `chains`). */
  const drive = async (index: number, until: number, record: boolean): Promise<void> => {
    while (performance.now() < until && chains[index] !== '') {
      const before = performance.now();
      const next = await refresh(chains[index]);
      if (next === undefined) {
        // The presented token's fate is unknown (consumed or not): this chain cannot continue.
        chains[index] = '';
        errors += 1;
        brokenChains += 1;
        return;
      }
      chains[index] = next;
      if (record) latencies.push(performance.now() - before);
      else warmupRequests += 1;
    }
  };

  // Warm up connections, JIT and caches before measuring.
  const warmUntil = performance.now() + 1500;
  await Promise.all(chains.map((_, index) => drive(index, warmUntil, false)));

  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  await Promise.all(chains.map((_, index) => drive(index, deadline, true)));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const result: TokenLoadResult = { ...summarize(latencies, errors, elapsed), brokenChains, warmupRequests, chains };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The assertions a Backend Services job starts with, signed on the thread pool (both cores) before it is timed. */
async function presign(client: BackendClient, audience: string, key: ReturnType<typeof createPrivateKey> | undefined): Promise<string[]> {
  if (client.presigned === undefined) return [clientAssertion(client, audience, key)];
  const signed: string[] = [];
  const batch = 64;
  for (let done = 0; done < client.presigned; done += batch) {
    const count = Math.min(batch, client.presigned - done);
    signed.push(...(await Promise.all(Array.from({ length: count }, () => clientAssertionAsync(client, audience, key)))));
  }
  return signed;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

// Run as a process of its own; imported (for its assertion), it does nothing.
if (require.main === module) void main();
