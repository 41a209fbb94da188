import { CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, createClientStatusHeartbeat } from '@payer-access/client-status';
import { DEAD_LETTER_HEADERS, deadLetterTopicOf, instanceGroupId, sandboxEventSigner, TrustedEventBus, type IncomingEvent } from '@payer-access/events';
import { metricValue } from '@payer-access/testing';
import { ClientProjectionService } from '../src/clients/client-projection.service';
import { OidcProviderHost } from '../src/oidc/oidc-provider.host';
import { runJourney } from './support/member-journey';
import { SEED_CLIENT, authorizeUrl, seedTokenRequest, startTestService, tokenRequest, type TestService } from './support/test-service';

const BOUND_SECONDS = 2;

/**
 * Bounded staleness at the authorization server: nothing that issues or honours a credential
 * answers while its client projection is older than CLIENT_STATUS_MAX_STALENESS_SECONDS, as
 * vouched for by registration's signed heartbeats. The test plays registration: heartbeats stop
 * as they would when registration or the broker is gone.
 */
describe('authorization bounded staleness of client statuses', () => {
  let service: TestService;
  let tokens: Record<string, string>;
  const parked: IncomingEvent[] = [];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const basic = `Basic ${Buffer.from(`${SEED_CLIENT.clientId}:${SEED_CLIENT.secret}`).toString('base64')}`;

  const refresh = () => tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: SEED_CLIENT.clientId, client_secret: SEED_CLIENT.secret });
  const introspect = () =>
    fetch(`${service.url}${service.app.get(OidcProviderHost).routes.introspection}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
  const userinfo = () => fetch(`${service.url}/connect/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  const ready = () => fetch(`${service.url}/health/ready`);

  async function tokensFor(): Promise<Record<string, string>> {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url));
    return (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, string>;
  }

  /** A response (a fetch's, or tokenRequest's with its body read) refusing for staleness. */
  async function expectStale(response: Response | Awaited<ReturnType<typeof tokenRequest>>): Promise<void> {
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const body = response instanceof Response ? await response.json() : response.body;
    expect(body).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringMatching(/view of app statuses is out of date/) });
  }

  beforeAll(async () => {
    service = await startTestService({ CLIENT_STATUS_MAX_STALENESS_SECONDS: String(BOUND_SECONDS) });
    await service.bus.subscribe({
      topic: deadLetterTopicOf(CLIENT_CHANGED_TOPIC),
      groupId: instanceGroupId('authorization-staleness-dlq'),
      fromBeginning: true,
      handler: async (event) => void parked.push(event),
    });
    await service.heartbeat();
    tokens = await tokensFor();
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  afterAll(async () => {
    await service?.close();
  });

  it('answers 503 temporarily_unavailable at token, introspection, authorize and userinfo once heartbeats stop for longer than the bound, and recovers', async () => {
    expect((await ready()).status).toBe(200);
    await sleep(BOUND_SECONDS * 1000 + 300);

    await expectStale(await refresh());
    await expectStale(await introspect());
    await expectStale(await fetch(authorizeUrl(service.url), { redirect: 'manual' }));
    await expectStale(await userinfo());
    expect((await ready()).status).toBe(503);
    const scraped = await (await fetch(`${service.metricsUrl}/metrics`)).text();
    expect(metricValue(scraped, 'client_status_view_age_seconds')).toBeGreaterThan(BOUND_SECONDS);

    await service.heartbeat();
    expect((await ready()).status).toBe(200);
    expect((await userinfo()).status).toBe(200);
    expect(await (await introspect()).json()).toMatchObject({ active: true, client_id: SEED_CLIENT.clientId });
    const refreshed = await refresh();
    expect(refreshed.status).toBe(200);
    tokens = refreshed.body as Record<string, string>;
  });

  it('parks forged, unsigned and malformed heartbeats; none of them makes the projection current', async () => {
    await sleep(BOUND_SECONDS * 1000 + 300);
    await expectStale(await refresh());
    const freshness = service.app.get(ClientProjectionService).freshness;
    const before = freshness.currentAsOf();

    const forger = new TrustedEventBus(service.bus, { signer: await sandboxEventSigner('authorization'), trustedKeys: {} });
    const registration = new TrustedEventBus(service.bus, { signer: await sandboxEventSigner('registration'), trustedKeys: {} });
    await forger.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: createClientStatusHeartbeat(new Date()) }]);
    await service.bus.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: createClientStatusHeartbeat(new Date()) }]);
    await registration.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: { type: 'registration.client-status.heartbeat', version: 1, watermark: 1e15 } }]);

    const deadline = Date.now() + 5_000;
    const heartbeats = () => parked.filter((event) => event.key === CLIENT_STATUS_HEARTBEAT_KEY);
    while (heartbeats().length < 3 && Date.now() < deadline) await sleep(10);
    expect(heartbeats().map((event) => event.headers[DEAD_LETTER_HEADERS.reason])).toEqual(['bad_signature', 'bad_signature', 'invalid_event']);
    expect(freshness.currentAsOf()).toBe(before);
    await expectStale(await refresh());
  });
});
