import * as argon2 from 'argon2';
import { ClientSecretVerifier } from '../src/clients/client-secret.verifier';
import { SEED_CLIENT, startTestService, type TestService } from './support/test-service';

const TOKEN = '/fhirmember/sps/oauth/oauth20/token';
const INTROSPECT = '/fhirmember/sps/oauth/oauth20/introspect';

// Behind one trusted proxy, each request names its client address in X-Forwarded-For.
describe('token endpoint under a flood of wrong client secrets', () => {
  let service: TestService;
  let verifier: ClientSecretVerifier;

  beforeAll(async () => {
    service = await startTestService({
      TRUST_PROXY_HOPS: '1',
      TOKEN_RATE_LIMIT_PER_ADDRESS: '40',
      TOKEN_RATE_LIMIT_PER_CLIENT: '100000',
      CLIENT_SECRET_MAX_FAILURES: '5',
    });
    verifier = service.app.get(ClientSecretVerifier);
  });
  afterAll(() => service?.close());

  const post = (path: string, address: string, form: Record<string, string>, authorization?: string) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': address,
        ...(authorization ? { authorization } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });
  const fail = (message: string): never => {
    throw new Error(message);
  };
  const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  const introspectAsSeedClient = (address: string) => post(INTROSPECT, address, { token: 'not-a-token' }, basic(SEED_CLIENT.clientId, SEED_CLIENT.secret));

  it('refuses an address past its limit with 429, Retry-After and an OAuth error, with no argon2 work for a keyed secret hash', async () => {
    expect((await introspectAsSeedClient('203.0.113.50')).status).toBe(200);
    const hashedBefore = verifier.hashChecks;
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        post(TOKEN, '198.51.100.7', { grant_type: 'refresh_token', refresh_token: 'x', client_id: SEED_CLIENT.clientId, client_secret: `wrong-${index}` }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(40);
    expect(statuses.filter((status) => status === 429)).toHaveLength(60);
    const refused = responses.find((response) => response.status === 429) ?? fail('no request was refused');
    expect(await refused.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringMatching(/^too many requests; retry after \d+ seconds$/) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('40');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    const allowed = responses.find((response) => response.status === 401) ?? fail('no request got through');
    expect(await allowed.json()).toMatchObject({ error: 'invalid_client' });
    expect(Number(allowed.headers.get('x-ratelimit-remaining'))).toBeLessThan(40);
    // 40 distinct wrong secrets got through the address limit; the seed client's secret is a keyed
    // SHA-256 hash, so none cost an argon2 check (older argon2id hashes: the next test).
    expect(verifier.hashChecks - hashedBefore).toBe(0);

    // The client under attack keeps working from its own address: its secret was verified recently.
    const started = performance.now();
    expect((await introspectAsSeedClient('203.0.113.50')).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('checks one wrong secret sent many times, from many addresses at once, a single time', async () => {
    const secret = 'the-right-secret-of-client-two';
    await service.publishClient('client-two', { status: 'approved', client: { secretHash: await argon2.hash(secret, { type: argon2.argon2id }) } });
    const hashedBefore = verifier.hashChecks;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => post(INTROSPECT, `192.0.2.${index + 1}`, { token: 'x' }, basic('client-two', 'one-wrong-secret'))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(401));
    expect(verifier.hashChecks - hashedBefore).toBe(1);
    // A rotated secret (a new hash) is checked afresh, and the right one is accepted.
    const rotated = 'the-rotated-secret-of-client-two';
    await service.publishClient('client-two', { client: { secretHash: await argon2.hash(rotated, { type: argon2.argon2id }) } });
    expect((await post(INTROSPECT, '192.0.2.200', { token: 'x' }, basic('client-two', rotated))).status).toBe(200);
    expect((await post(INTROSPECT, '192.0.2.200', { token: 'x' }, basic('client-two', secret))).status).toBe(401);
  });
});
