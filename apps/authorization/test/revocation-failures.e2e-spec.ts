import { randomUUID } from 'node:crypto';
import { loadConfig } from '@payer-access/config';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { AuthorizationConfig } from '../src/authorization.config';
import { createAuthorizationApp } from '../src/authorization.service-app';
import { runJourney } from './support/member-journey';
import { SEED_CLIENT, authorizeUrl, decodePayload, eventually, seedTokenRequest, startTestService, tokenRequest, type TestService } from './support/test-service';

const SYSTEM_CLIENT = { clientId: 'payer-system-revocations', secret: 'system-client-secret-revocations-1' };

describe('revocations hold when something fails halfway', () => {
  let service: TestService;
  let db: DataSource;

  beforeAll(async () => {
    service = await startTestService();
    db = service.app.get(DataSource);
    await service.publishClient(SYSTEM_CLIENT.clientId, {
      status: 'approved',
      client: {
        name: 'Payer Automation',
        clientType: 'confidential',
        redirectUris: ['https://payer.example/cb'],
        secretHash: await argon2.hash(SYSTEM_CLIENT.secret, { type: argon2.argon2id }),
        allowedScopes: [],
        system: true,
      },
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  /**
   * A real failure inside PostgreSQL: the next `count` updates of a consent record raise an error
   * (a sequence counts them, and sequences ignore rollbacks). Returns the function that removes it.
   */
  async function failGrantUpdates(count: number): Promise<() => Promise<void>> {
    const name = `injected_failure_${randomUUID().replace(/-/g, '')}`;
    await db.query(`CREATE SEQUENCE ${name}`);
    await db.query(`
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('${name}') <= ${count} THEN RAISE EXCEPTION 'injected failure'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER ${name} BEFORE UPDATE ON member_grant FOR EACH ROW EXECUTE FUNCTION ${name}()`);
    return async () => {
      await db.query(`DROP TRIGGER ${name} ON member_grant`);
      await db.query(`DROP FUNCTION ${name}()`);
      await db.query(`DROP SEQUENCE ${name}`);
    };
  }

  async function introspect(token: string, auth: { clientId: string; secret: string }): Promise<Record<string, unknown>> {
    const response = await fetch(`${service.url}/fhirmember/sps/oauth/oauth20/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: auth.clientId, client_secret: auth.secret }).toString(),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  const seedAuth = { clientId: SEED_CLIENT.clientId, secret: SEED_CLIENT.secret };

  async function memberTokens(): Promise<Record<string, string>> {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
    const response = await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '');
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, string>;
  }

  async function revokedAt(grantId: string): Promise<Date | null> {
    const rows: { revoked_at: Date | null }[] = await db.query(`SELECT revoked_at FROM member_grant WHERE grant_id = $1`, [grantId]);
    return rows[0]?.revoked_at ?? null;
  }

  it('a suspension whose revocation fails once still revokes every grant, and reinstatement brings none back', async () => {
    const first = await memberTokens();
    const second = await memberTokens();
    const grantIds = [first, second].map((tokens) => String(decodePayload(tokens.access_token).grant_id));
    const restore = await failGrantUpdates(1);
    try {
      await service.publishClient(SEED_CLIENT.clientId, { status: 'suspended' });
      for (const grantId of grantIds) {
        const event = await eventually(() => service.revocations.find((each) => each.grantId === grantId), 15_000);
        expect(event.reason).toBe('client_suspended');
        expect(await revokedAt(grantId)).not.toBeNull();
      }
    } finally {
      await restore();
    }

    await service.publishClient(SEED_CLIENT.clientId, { status: 'approved' });
    for (const tokens of [first, second]) {
      expect(await introspect(tokens.access_token, seedAuth)).toEqual({ active: false });
      const refresh = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
      expect(refresh.body.error).toBe('invalid_grant');
    }
    // Reinstated: new authorizations work (from the second after the suspension: `iat` has whole seconds).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await introspect((await memberTokens()).access_token, seedAuth)).active).toBe(true);
  });

  it('a client_credentials token issued before a suspension stays inactive after reinstatement', async () => {
    const issue = async () => {
      const issued = await tokenRequest(service.url, { grant_type: 'client_credentials', client_id: SYSTEM_CLIENT.clientId, client_secret: SYSTEM_CLIENT.secret, scope: 'system/*.read' });
      expect(issued.status).toBe(200);
      return String(issued.body.access_token);
    };
    const before = await issue();
    expect(await introspect(before, SYSTEM_CLIENT)).toMatchObject({ active: true, client_id: SYSTEM_CLIENT.clientId });

    await service.publishClient(SYSTEM_CLIENT.clientId, { status: 'suspended' });
    await service.publishClient(SYSTEM_CLIENT.clientId, { status: 'approved' });
    // `iat` has whole seconds: the next token comes from the second after the suspension.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await introspect(before, SYSTEM_CLIENT)).toEqual({ active: false });
    expect(await introspect(await issue(), SYSTEM_CLIENT)).toMatchObject({ active: true });
    const stored: { not_before: Date | null }[] = await db.query(`SELECT not_before FROM oauth_client WHERE client_id = $1`, [SYSTEM_CLIENT.clientId]);
    expect(stored[0].not_before).toBeInstanceOf(Date);
  });

  it('a code replay whose revocation fails to be recorded is retried until announced', async () => {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
    const code = redirect?.searchParams.get('code') ?? '';
    const first = (await (await seedTokenRequest(service.url, code)).json()) as Record<string, string>;
    const grantId = String(decodePayload(first.access_token).grant_id);

    const restore = await failGrantUpdates(1);
    try {
      const replay = await seedTokenRequest(service.url, code);
      expect(replay.status).toBe(400);
      expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
      const event = await eventually(() => service.revocations.find((each) => each.grantId === grantId), 10_000);
      expect(event.reason).toBe('code_replayed');
    } finally {
      await restore();
    }
    expect(await revokedAt(grantId)).not.toBeNull();
    expect(await introspect(first.access_token, seedAuth)).toEqual({ active: false });
    const tombstones: unknown[] = await db.query(`SELECT id FROM oidc_payload WHERE kind = 'Grant' AND id = $1`, [grantId]);
    expect(tombstones).toEqual([]);
  });

  it('a revocation still unrecorded when the service stops is recorded by the next start', async () => {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
    const code = redirect?.searchParams.get('code') ?? '';
    const first = (await (await seedTokenRequest(service.url, code)).json()) as Record<string, string>;
    const grantId = String(decodePayload(first.access_token).grant_id);

    const restore = await failGrantUpdates(1_000_000);
    try {
      expect((await seedTokenRequest(service.url, code)).status).toBe(400);
      const tombstones: { revoked_reason: string }[] = await db.query(`SELECT revoked_reason FROM oidc_payload WHERE kind = 'Grant' AND id = $1`, [grantId]);
      expect(tombstones).toEqual([{ revoked_reason: 'code_replayed' }]);
      expect(await revokedAt(grantId)).toBeNull();
    } finally {
      await restore();
    }

    // Another instance on the same database (a restart): its start records what is pending.
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: service.database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: service.url });
    const restarted = await createAuthorizationApp({ ...config, DATABASE_URL: service.database.url }, { logger: false, eventBus: service.bus });
    try {
      await restarted.init();
      expect(await revokedAt(grantId)).not.toBeNull();
      const event = await eventually(() => service.revocations.find((each) => each.grantId === grantId), 10_000);
      expect(event.reason).toBe('code_replayed');
    } finally {
      await restarted.close();
    }
  });
});
