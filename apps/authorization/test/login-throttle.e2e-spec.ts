import { DataSource } from 'typeorm';
import { startTestService, type TestService } from './support/test-service';

// The member login of the connected-apps page, from chosen client addresses: behind one trusted
// proxy (TRUST_PROXY_HOPS=1), the address is the one X-Forwarded-For names.
describe('member login throttle per client address', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ TRUST_PROXY_HOPS: '1', LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '3' });
  });
  afterAll(() => service?.close());

  const login = (address: string, username: string, password: string) =>
    fetch(`${service.url}/account/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
      body: new URLSearchParams({ username, password }).toString(),
    });

  it('refuses an address that guessed across several user names, and no other address', async () => {
    // One password tried against three user names: no single user name reaches its limit of 5.
    for (const username of ['BCNCUser03', 'BCNCUser04', 'NoSuchUser']) {
      expect((await login('198.51.100.7', username, 'Winter2026!')).status).toBe(401);
    }
    // The address has used up its 3 failures: even the right password is refused from it.
    expect((await login('198.51.100.7', 'BCNCUser05', 'BCNCPSWD05')).status).toBe(429);
    // Another address is not affected, and the same member logs in from it.
    const elsewhere = await login('203.0.113.9', 'BCNCUser05', 'BCNCPSWD05');
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.get('location')).toBe('/account/apps');
  });

  it('keeps counting per user name across addresses', async () => {
    const addresses = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'];
    for (const address of addresses) expect((await login(address, 'BCNCUser06', 'nope')).status).toBe(401);
    expect((await login('192.0.2.6', 'BCNCUser06', 'BCNCPSWD06')).status).toBe(429);
  });

  it('compares at most the limit of 50 wrong passwords sent at once for one member, and refuses the rest with Retry-After', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, index) => login(`198.18.0.${index + 1}`, 'BCNCUser05', `guess-${index}`)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(45);
    for (const response of responses.filter((each) => each.status === 429)) {
      const wait = Number(response.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(900);
    }
    const [row]: { failures: number }[] = await service.app.get(DataSource).query(`SELECT failures FROM "authorization".login_throttle WHERE key = 'user:bcncuser05'`);
    expect(row.failures).toBe(5);
    expect((await login('198.18.1.1', 'BCNCUser05', 'BCNCPSWD05')).status).toBe(429);
  });
});
