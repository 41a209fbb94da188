import { randomBytes, randomUUID } from 'node:crypto';
import type { ClientChangedEventV1 } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { SecretSealer } from '@payer-access/events';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { AuthorizationConfig } from '../src/authorization.config';
import { createAuthorizationApp } from '../src/authorization.service-app';
import { ClientProjectionService } from '../src/clients/client-projection.service';
import { OidcProviderHost } from '../src/oidc/oidc-provider.host';
import { runJourney } from './support/member-journey';
import { SEED_CLIENT, authorizeUrl, decodePayload, eventually, seedTokenRequest, startTestService, tokenRequest, type TestService } from './support/test-service';

describe('client projection from registration.client.changed.v1', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });

  afterAll(async () => {
    await service?.close();
  });

  async function tokensFor(clientId = SEED_CLIENT.clientId): Promise<Record<string, string>> {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { client_id: clientId }));
    return (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, string>;
  }

  it('projects the client the registration service published, with its argon2id secret hash', async () => {
    const rows: { client_id: string; status: string; client_version: number }[] = await service.app
      .get(DataSource)
      .query(`SELECT client_id, status, client_version FROM oauth_client`);
    expect(rows).toEqual([{ client_id: SEED_CLIENT.clientId, status: 'approved', client_version: 1 }]);
  });

  it('refuses a suspended client at authorize and token within a second, revokes its grants and announces it', async () => {
    const live = await tokensFor();
    const grantId = decodePayload(live.access_token).grant_id;
    const pending = await runJourney(service.url, authorizeUrl(service.url), { decision: 'agree' });
    const pendingCode = pending.redirect?.searchParams.get('code') ?? '';

    const suspendedAt = Date.now();
    await service.publishClient(SEED_CLIENT.clientId, { status: 'suspended' });
    const appliedMs = Date.now() - suspendedAt;

    const authorize = await eventually(async () => {
      const response = await fetch(authorizeUrl(service.url), { redirect: 'manual' });
      return response.status === 400 ? response : undefined;
    }, 1000);
    expect(authorize.headers.get('location')).toBeNull();
    expect(await authorize.text()).toContain('invalid_client');
    const token = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: live.refresh_token, client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
    expect((await seedTokenRequest(service.url, pendingCode)).status).toBe(401);
    expect(Date.now() - suspendedAt).toBeLessThan(1000);
    expect(appliedMs).toBeLessThan(1000);

    const event = await eventually(() => service.revocations.find((each) => each.grantId === grantId));
    expect(event).toMatchObject({ reason: 'client_suspended', clientId: SEED_CLIENT.clientId });
    const left: { count: number }[] = await service.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM oidc_payload WHERE kind IN ('AuthorizationCode', 'RefreshToken', 'Grant') AND payload->>'clientId' = $1`, [SEED_CLIENT.clientId]);
    expect(left[0].count).toBe(0);

    // Reinstated: new authorizations work, tokens revoked before stay revoked. `iat` has whole
    // seconds, so what is issued in the suspension's own second is void too: go past it.
    await service.publishClient(SEED_CLIENT.clientId, { status: 'approved' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await tokensFor();
    expect(fresh.patient).toBe('-20140000000024');
    const old = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: live.refresh_token, client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
    expect(old.body.error).toBe('invalid_grant');
  });

  it('voids codes, refresh and access tokens issued before the last suspension, even when only the reinstatement is seen', async () => {
    // The suspension happened while this instance was away and was compacted out of the topic: all
    // it sees is the reinstatement, whose notBefore is the suspension's instant. Nothing revoked the grant.
    const live = await tokensFor();
    const pending = await runJourney(service.url, authorizeUrl(service.url), { decision: 'agree' });
    const pendingCode = pending.redirect?.searchParams.get('code') ?? '';
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const suspendedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    await service.publishClient(SEED_CLIENT.clientId, { status: 'approved', notBefore: suspendedAt.toISOString() });

    const refresh = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: live.refresh_token, client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
    expect(refresh.body.error).toBe('invalid_grant');
    expect(((await (await seedTokenRequest(service.url, pendingCode)).json()) as { error?: string }).error).toBe('invalid_grant');
    const userinfo = (token: string) => fetch(`${service.url}/connect/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    expect((await userinfo(live.access_token)).status).toBe(401);

    const fresh = await tokensFor();
    expect(fresh.patient).toBe('-20140000000024');
    expect((await userinfo(fresh.access_token)).status).toBe(200);
    const renewed = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token, client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
    expect(renewed.status).toBe(200);
  });

  it('keeps the highest clientVersion: a replayed older event changes nothing', async () => {
    const projection = service.app.get(ClientProjectionService);
    const [first] = service.published.filter((event) => event.clientId === SEED_CLIENT.clientId);
    const current = projection.find(SEED_CLIENT.clientId);
    expect(await projection.apply(first)).toBe(false);
    expect(projection.find(SEED_CLIENT.clientId)).toEqual(current);
    // Invalid: refused for good (the subscription dead-letters it), never applied.
    await expect(projection.apply({ type: 'registration.client.changed', version: 1, clientId: 'broken' })).rejects.toMatchObject({ reason: 'invalid_event' });
    expect(projection.find('broken')).toBeUndefined();
  });

  it('refuses a secret hash sealed with another key or for another client, and keeps the client as it was', async () => {
    const projection = service.app.get(ClientProjectionService);
    const current = projection.find(SEED_CLIENT.clientId) as ClientChangedEventV1;
    const hash = await argon2.hash('guess', { type: argon2.argon2id });
    const next = (sealedSecretHash: string) => ({ ...current, eventId: randomUUID(), previousStatus: current.status, clientVersion: current.clientVersion + 1, client: { ...current.client, sealedSecretHash } });
    const otherKey = SecretSealer.fromConfig(randomBytes(32).toString('base64url'), 'production');
    await expect(projection.apply(next(await otherKey.seal(SEED_CLIENT.clientId, hash)))).rejects.toMatchObject({ reason: 'unreadable_secret' });
    const sandbox = SecretSealer.fromConfig(undefined, 'sandbox');
    await expect(projection.apply(next(await sandbox.seal('another-client', hash)))).rejects.toMatchObject({ reason: 'unreadable_secret' });
    expect(projection.find(SEED_CLIENT.clientId)).toEqual(current);
  });

  it('hands the provider the same metadata until the client changes, so the provider reuses its Client', async () => {
    const projection = service.app.get(ClientProjectionService);
    const provider = service.app.get(OidcProviderHost).provider;
    await service.publishClient('renamed-app', { status: 'approved', client: { name: 'First Name', clientType: 'public', redirectUris: ['https://renamed.example/cb'], secretHash: null } });
    const metadata = projection.metadata('renamed-app');
    expect(projection.metadata('renamed-app')).toBe(metadata);
    const client = await provider.Client.find('renamed-app');
    expect(await provider.Client.find('renamed-app')).toBe(client);
    expect(client?.redirectUris).toEqual(['https://renamed.example/cb']);

    await service.publishClient('renamed-app', { client: { name: 'Second Name', redirectUris: ['https://renamed.example/next'] } });
    expect(projection.metadata('renamed-app')).toMatchObject({ client_name: 'Second Name', redirect_uris: ['https://renamed.example/next'] });
    expect((await provider.Client.find('renamed-app'))?.redirectUris).toEqual(['https://renamed.example/next']);

    await service.publishClient('renamed-app', { status: 'suspended' });
    expect(projection.metadata('renamed-app')).toBeUndefined();
    expect(await provider.Client.find('renamed-app')).toBeUndefined();
  });

  it('a terminated client is refused and its grants revoked', async () => {
    await service.publishClient('terminated-app', { status: 'approved', client: { name: 'Soon Gone', clientType: 'public', redirectUris: ['https://soon.example/cb'], secretHash: null } });
    await service.publishClient('terminated-app', { status: 'terminated' });
    const response = await fetch(authorizeUrl(service.url, { client_id: 'terminated-app', redirect_uri: 'https://soon.example/cb' }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('a new instance rebuilds the projection from the topic and is ready only once caught up', async () => {
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: service.database.url, PROFILE: 'sandbox', CLIENT_STATUS_MAX_STALENESS_SECONDS: '0' });
    // A fresh database: nothing stored, the topic is the only source.
    const { createTestDatabase } = await import('@payer-access/testing');
    const database = await createTestDatabase();
    const app = await createAuthorizationApp({ ...config, DATABASE_URL: database.url }, { logger: false, eventBus: service.bus });
    try {
      await app.init();
      const projection = app.get(ClientProjectionService);
      await eventually(() => projection.isCaughtUp());
      expect(projection.find(SEED_CLIENT.clientId)?.status).toBe('approved');
      expect(projection.find('terminated-app')?.status).toBe('terminated');
      expect(projection.metadata('terminated-app')).toBeUndefined();
    } finally {
      await app.close();
      await database.drop();
    }
  });
});
