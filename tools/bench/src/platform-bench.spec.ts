import type { AddressInfo } from 'node:net';
import { bareTokenServer } from './platform-bench';

describe(bareTokenServer.name, () => {
  const issued = { access_token: 'a'.repeat(900), expires_in: 3600, id_token: 'i'.repeat(700), refresh_token: 'r'.repeat(43), scope: 'openid', token_type: 'Bearer', patient: '-1' };
  const server = bareTokenServer(issued);
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const refresh = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

  it('answers the issued fields and sizes, with placeholder tokens and a new refresh token each time', async () => {
    const first = await refresh('grant_type=refresh_token&refresh_token=abc');
    const second = (await (await refresh('grant_type=refresh_token&refresh_token=abc')).json()) as Record<string, string>;
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const answer = (await first.json()) as Record<string, string>;
    expect(Object.keys(answer).sort()).toEqual(Object.keys(issued).sort());
    expect(answer).toMatchObject({ access_token: 'x'.repeat(900), id_token: 'x'.repeat(700), expires_in: 3600, token_type: 'Bearer', patient: '-1' });
    expect(answer.refresh_token).toMatch(/^[\w-]{43}$/);
    expect(second.refresh_token).not.toBe(answer.refresh_token);
  });

  it('refuses a request that is not a refresh grant', async () => {
    expect((await refresh('grant_type=authorization_code&code=abc')).status).toBe(400);
  });
});

describe(`${bareTokenServer.name} for client_credentials`, () => {
  const issued = { access_token: 'a'.repeat(600), expires_in: 3600, scope: 'system/Patient.rs', token_type: 'Bearer' };
  const server = bareTokenServer(issued, 'client_credentials');
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

  it('answers an assertion with the issued fields and sizes, and no refresh token', async () => {
    const response = await post('grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...issued, access_token: 'x'.repeat(600) });
  });

  it('refuses a request without an assertion or of another grant', async () => {
    expect((await post('grant_type=client_credentials')).status).toBe(400);
    expect((await post('grant_type=refresh_token&refresh_token=abc')).status).toBe(400);
  });
});
