import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { OidcProviderHost } from '../src/oidc/oidc-provider.host';
import { runJourney } from './support/member-journey';
import { FHIR_BASE, authorizeUrl, decodeHeader, seedTokenRequest, startTestService, type TestService } from './support/test-service';

const DAY_MS = 24 * 3600 * 1000;

describe('signing key rotation', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ SIGNING_KEY_ROTATION_DAYS: '30' });
  });

  afterAll(async () => {
    await service?.close();
  });

  async function jwks(): Promise<JSONWebKeySet> {
    return (await (await fetch(`${service.url}/jwks`)).json()) as JSONWebKeySet;
  }

  async function accessToken(): Promise<string> {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
    const body = (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, string>;
    return body.access_token;
  }

  it('publishes the next key before it signs, and keeps the old one published after, with no downtime', async () => {
    const before = await jwks();
    const oldToken = await accessToken();
    const oldKid = decodeHeader(oldToken).kid;
    expect(before.keys.map((key) => key.kid)).toContain(oldKid);
    const nextKid = before.keys.find((key) => key.kid !== oldKid)?.kid;

    // 31 days on: the next key takes over; the provider is rebuilt and swapped in.
    await service.app.get(OidcProviderHost).rebuild(new Date(Date.now() + 31 * DAY_MS));

    const after = await jwks();
    const kids = after.keys.map((key) => key.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, nextKid]));
    expect(kids).toHaveLength(3); // previous, current, and a new next one

    const newToken = await accessToken();
    expect(decodeHeader(newToken).kid).toBe(nextKid);
    // A resource server holding the JWKS fetched after the rotation verifies both.
    const keySet = createLocalJWKSet(after);
    for (const token of [oldToken, newToken]) {
      await expect(jwtVerify(token, keySet, { issuer: service.url, audience: FHIR_BASE })).resolves.toBeDefined();
    }
    // One fetched before the rotation already knew the new key too.
    await expect(jwtVerify(newToken, createLocalJWKSet(before), { issuer: service.url, audience: FHIR_BASE })).resolves.toBeDefined();
  });
});
