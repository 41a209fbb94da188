import { startTestService, type TestService } from './support/test-service';

/** Malformed requests get a 4xx in the shape their caller reads, never a server error. */
describe('authorization service under hostile input', () => {
  let service: TestService;

  const call = (path: string, init: RequestInit = {}) => fetch(`${service.url}${path}`, { redirect: 'manual', ...init });
  const form = (path: string, body: string, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const json = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    service = await startTestService();
  });

  afterAll(async () => {
    await service?.close();
  });

  async function expectOAuthError(response: Response, status: number): Promise<Record<string, unknown>> {
    const text = await response.text();
    expect([response.status, response.headers.get('content-type')]).toEqual([status, expect.stringMatching(/^application\/json/)]);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toEqual({ error: expect.any(String), error_description: expect.any(String) });
    expect(text).not.toMatch(/\n\s+at |QueryFailedError/);
    return body;
  }

  async function expectPage(response: Response, status: number): Promise<string> {
    const html = await response.text();
    expect([response.status, response.headers.get('content-type')]).toEqual([status, 'text/html; charset=utf-8']);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(['cache-control', 'x-frame-options', 'referrer-policy'].map((name) => response.headers.get(name))).toEqual(['no-store', 'DENY', 'no-referrer']);
    return html;
  }

  describe('member login form of the connected-apps page', () => {
    it.each([
      ['a password that is an object', '{"username":"member03","password":{"toString":1}}'],
      ['a password that is a number', '{"username":"member03","password":12345}'],
      ['a password that is an array', '{"username":"member03","password":["a","b"]}'],
      ['a user name that is null', '{"username":null,"password":"x"}'],
      ['no field at all', '{}'],
      ['a JSON array', '[]'],
    ])('answers %s with a 400 login page', async (_what, body) => {
      const html = await expectPage(await json('/account/login', body), 400);
      expect(html).toContain('Enter your user name and password.');
    });

    it('answers repeated or nested form fields with a 400 login page', async () => {
      await expectPage(await form('/account/login', 'username=member03&password=a&password=b'), 400);
      await expectPage(await form('/account/login', 'username=member03&password[toString]=x'), 400);
      await expectPage(await form('/account/login', 'username[a][b]=1&password=x'), 400);
    });

    it('answers a login with no body at all with a 400 login page', async () => {
      await expectPage(await call('/account/login', { method: 'POST' }), 400);
    });
  });

  it.each(['%E0%A4%A', '%', '%FF%FE', 'a.b.c%ZZ', '%00'])('treats a malformed member session cookie (%s) as no cookie', async (cookie) => {
    const html = await expectPage(await call('/account/apps', { headers: { cookie: `pa_member=${cookie}` } }), 200);
    expect(html).toMatch(/<form[^>]+action="\/account\/login"/);
    await expectPage(await form(`/account/apps/some-grant/revoke`, 'csrf=x', { cookie: `pa_member=${cookie}` }), 401);
  });

  it.each([
    ['a path', '/connect/userinfo%FF'],
    ['a query', '/connect/userinfo?x=%C3%28'],
    ['a NUL in a query', '/.well-known/smart-configuration?x=%00'],
    ['a NUL in a path', '/interaction/abc%00'],
    ['an OAuth endpoint', '/token?x=%FF'],
  ])('refuses invalid UTF-8 or NUL in %s with 400', async (_what, path) => {
    const response = await call(path);
    if (path.startsWith('/interaction')) await expectPage(response, 400);
    else expect((await expectOAuthError(response, 400)).error).toBe('invalid_request');
  });

  it('refuses invalid UTF-8 and NUL bytes in form bodies of its own routes with 400', async () => {
    expect((await expectPage(await form('/account/login', 'username=%FF&password=x'), 400))).toContain('We could not continue');
    await expectPage(await form('/account/login', 'username=a%00&password=x'), 400);
    await expectPage(await json('/account/login', Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","password":"x"}')])), 400);
  });

  it('answers bodies over the limit with 413, nested too deep with 400, an unknown encoding with 415', async () => {
    await expectPage(await form('/account/login', `username=${'a'.repeat(200 * 1024)}&password=x`), 413);
    await expectPage(await json('/account/login', `${'['.repeat(20_000)}${']'.repeat(20_000)}`), 400);
    await expectPage(await json('/account/login', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`), 413);
    await expectPage(await json('/account/login', '{}', { 'content-encoding': 'compress' }), 415);
  });

  it('refuses a POSTed authorization request too long to continue as a GET, instead of redirecting to it', async () => {
    const body = Array.from({ length: 1000 }, (_, index) => `p${index}=${'v'.repeat(40)}`).join('&');
    const response = await form('/fhirmember/sps/oauth/oauth20/authorize', `response_type=code&client_id=x&${body}`);
    expect(response.headers.get('location')).toBeNull();
    expect((await expectOAuthError(response, 400)).error).toBe('invalid_request');
  });

  it('answers unknown routes and methods in OAuth error JSON', async () => {
    expect((await expectOAuthError(await call('/no/such/route'), 404)).error).toBe('not_found');
    expect((await expectOAuthError(await call('/connect/userinfo', { method: 'DELETE' }), 404)).error).toBe('not_found');
    expect((await expectOAuthError(await json('/no/such/route', '{"a":'), 400)).error).toBe('invalid_request');
  });

  it('sends nosniff on every answer and no-store on userinfo', async () => {
    for (const path of ['/.well-known/smart-configuration', '/.well-known/openid-configuration', '/connect/userinfo', '/account/apps', '/no/such/route']) {
      expect([path, (await call(path)).headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
    }
    expect((await call('/connect/userinfo')).headers.get('cache-control')).toBe('no-store');
  });

  it('is still healthy after all of it', async () => {
    expect((await call('/health/ready')).status).toBe(200);
  });
});
