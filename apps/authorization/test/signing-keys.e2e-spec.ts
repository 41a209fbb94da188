import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '@payer-access/config';
import { compactDecrypt, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JSONWebKeySet } from 'jose';
import { DataSource } from 'typeorm';
import { AuthorizationConfig } from '../src/authorization.config';
import { createAuthorizationApp } from '../src/authorization.service-app';
import { OidcProviderHost } from '../src/oidc/oidc-provider.host';
import { runJourney } from './support/member-journey';
import { FHIR_BASE, SEED_CLIENT, authorizeUrl, decodeHeader, seedTokenRequest, startTestService, type TestService } from './support/test-service';

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

  async function tokens(): Promise<{ accessToken: string; idToken: string }> {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
    const body = (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, string>;
    return { accessToken: body.access_token, idToken: body.id_token };
  }

  const kidsOf = (set: JSONWebKeySet, alg: string) => set.keys.filter((key) => key.alg === alg).map((key) => key.kid);

  it('publishes the next key of each algorithm before it signs, and keeps the old one published after, with no downtime', async () => {
    const before = await jwks();
    const old = await tokens();
    expect(decodeHeader(old.accessToken).alg).toBe('ES256');
    expect(decodeHeader(old.idToken).alg).toBe('RS256');
    const oldKids = { ES256: decodeHeader(old.accessToken).kid, RS256: decodeHeader(old.idToken).kid };
    const nextKids = {
      ES256: kidsOf(before, 'ES256').find((kid) => kid !== oldKids.ES256),
      RS256: kidsOf(before, 'RS256').find((kid) => kid !== oldKids.RS256),
    };
    expect(kidsOf(before, 'ES256')).toEqual(expect.arrayContaining([oldKids.ES256, nextKids.ES256]));
    expect(kidsOf(before, 'RS256')).toEqual(expect.arrayContaining([oldKids.RS256, nextKids.RS256]));

    // 31 days on: the next keys take over; the provider is rebuilt and swapped in.
    await service.app.get(OidcProviderHost).rebuild(new Date(Date.now() + 31 * DAY_MS));

    const after = await jwks();
    for (const alg of ['ES256', 'RS256'] as const) {
      // previous, current, and a new next one
      expect(kidsOf(after, alg)).toHaveLength(3);
      expect(kidsOf(after, alg)).toEqual(expect.arrayContaining([oldKids[alg], nextKids[alg]]));
    }

    const fresh = await tokens();
    expect(decodeHeader(fresh.accessToken)).toMatchObject({ alg: 'ES256', kid: nextKids.ES256 });
    expect(decodeHeader(fresh.idToken)).toMatchObject({ alg: 'RS256', kid: nextKids.RS256 });
    // A resource server holding the JWKS fetched after the rotation verifies both access tokens.
    const keySet = createLocalJWKSet(after);
    for (const token of [old.accessToken, fresh.accessToken]) {
      await expect(jwtVerify(token, keySet, { issuer: service.url, audience: FHIR_BASE, algorithms: ['ES256'] })).resolves.toBeDefined();
    }
    // One fetched before the rotation already knew the new keys too.
    await expect(jwtVerify(fresh.accessToken, createLocalJWKSet(before), { issuer: service.url, audience: FHIR_BASE })).resolves.toBeDefined();
    await expect(jwtVerify(fresh.idToken, createLocalJWKSet(before), { issuer: service.url, audience: SEED_CLIENT.clientId, algorithms: ['RS256'] })).resolves.toBeDefined();
  });
});

describe('signing keys at rest', () => {
  const kek = randomBytes(32).toString('base64url');
  let service: TestService;
  let db: DataSource;

  beforeAll(async () => {
    service = await startTestService({ SIGNING_KEY_ENCRYPTION_KEY: kek });
    db = service.app.get(DataSource);
  });

  afterAll(async () => {
    await service?.close();
  });

  interface StoredKey {
    kid: string;
    private_jwk: unknown;
    encrypted_private_jwk: string | null;
  }

  function storedKeys(): Promise<StoredKey[]> {
    return db.query(`SELECT kid, private_jwk, encrypted_private_jwk FROM signing_key ORDER BY kid`);
  }

  /** Another instance on the same database with this key-encryption key: its start (`init`). */
  async function startInstance(encryptionKey: string): Promise<void> {
    const config = loadConfig(AuthorizationConfig, {
      DATABASE_URL: service.database.url,
      PROFILE: 'sandbox',
      AUTHORIZATION_PUBLIC_URL: service.url,
      SIGNING_KEY_ENCRYPTION_KEY: encryptionKey,
    });
    const app = await createAuthorizationApp({ ...config, DATABASE_URL: service.database.url }, { logger: false, eventBus: service.bus });
    try {
      await app.init();
    } finally {
      await app.close();
    }
  }

  it('stores the private keys, RSA and EC alike, as ciphertext that only the key-encryption key opens', async () => {
    const rows = await storedKeys();
    const { keys } = (await (await fetch(`${service.url}/jwks`)).json()) as JSONWebKeySet;
    expect(rows.map((row) => row.kid).sort()).toEqual(keys.map((key) => key.kid).sort());
    expect(keys.map((key) => key.kty).sort()).toEqual(['EC', 'EC', 'RSA', 'RSA']);
    for (const row of rows) {
      expect(row.private_jwk).toBeNull();
      // JWE compact with `dir`: an empty encrypted-key part.
      expect(row.encrypted_private_jwk).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
      const published = keys.find((key) => key.kid === row.kid);
      expect(row.encrypted_private_jwk).not.toContain(String(published?.n ?? published?.x).slice(0, 32));
      const { plaintext, protectedHeader } = await compactDecrypt(String(row.encrypted_private_jwk), Buffer.from(kek, 'base64url'));
      expect(protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
      const jwk = JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
      expect(typeof jwk.d).toBe('string');
      if (published?.kty === 'RSA') expect(jwk.n).toBe(published.n);
      else expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', x: published?.x, y: published?.y });
    }
  });

  it('refuses to start with a wrong key-encryption key, saying which setting is wrong', async () => {
    await expect(startInstance(randomBytes(32).toString('base64url'))).rejects.toThrow(/SIGNING_KEY_ENCRYPTION_KEY/);
    expect(() => loadConfig(AuthorizationConfig, { DATABASE_URL: service.database.url, SIGNING_KEY_ENCRYPTION_KEY: 'too-short' })).toThrow(/SIGNING_KEY_ENCRYPTION_KEY/);
  });

  it('seals keys stored in plaintext by earlier versions at the next start', async () => {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = randomUUID();
    await db.query(
      `INSERT INTO signing_key (kid, alg, private_jwk, created_at, activates_at, expires_at) VALUES ($1, 'RS256', $2, now(), now() - interval '40 days', now() + interval '1 hour')`,
      [kid, await exportJWK(privateKey)],
    );
    await startInstance(kek);
    const [row] = (await storedKeys()).filter((each) => each.kid === kid);
    expect(row.private_jwk).toBeNull();
    const { plaintext } = await compactDecrypt(String(row.encrypted_private_jwk), Buffer.from(kek, 'base64url'));
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toMatchObject({ kty: 'RSA', d: expect.any(String) });
  });

  it('rotates the key-encryption key: listed first it reseals every published key, and the old one can go', async () => {
    const next = randomBytes(32).toString('base64url');
    await startInstance(`${next},${kek}`);
    for (const row of await storedKeys()) {
      await expect(compactDecrypt(String(row.encrypted_private_jwk), Buffer.from(next, 'base64url'))).resolves.toBeDefined();
    }
    await expect(startInstance(next)).resolves.toBeUndefined();
    await expect(startInstance(kek)).rejects.toThrow(/SIGNING_KEY_ENCRYPTION_KEY/);
  });
});
