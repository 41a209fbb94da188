import { randomUUID } from 'node:crypto';
import { ensureKafka, metricValue, scrapeMetrics } from '@payer-access/testing';
import * as argon2 from 'argon2';
import { runJourney } from './support/member-journey';
import { authorizeUrl, decodePayload, eventually, startTestService, tokenRequest, type TestService } from './support/test-service';

/**
 * The service on a real Kafka broker: it rebuilds its clients from `registration.client.changed.v1`
 * and announces revocations on `authorization.grant.revoked.v1` through its outbox.
 * Client ids are this run's own: other test files share the broker and its topics.
 */
describe('authorization service on Kafka', () => {
  let service: TestService;
  const clientId = `kafka-app-${randomUUID().slice(0, 8)}`;
  const secret = `secret-${randomUUID()}`;
  const redirectUri = 'https://oidcdebugger.com/debug';

  beforeAll(async () => {
    const { brokers, credentials } = await ensureKafka();
    service = await startTestService({}, { kafkaBrokers: brokers, kafkaCredentials: credentials });
    await service.publishClient(clientId, {
      status: 'approved',
      client: { name: 'Kafka App', clientType: 'confidential', redirectUris: [redirectUri], secretHash: await argon2.hash(secret, { type: argon2.argon2id }), allowedScopes: [], system: false },
    });
  }, 120_000);

  afterAll(async () => {
    await service?.close();
  });

  it('authorizes a client it learned from Kafka; suspension refuses it within a second and publishes the revocation', async () => {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { client_id: clientId, redirect_uri: redirectUri }));
    const issued = await tokenRequest(service.url, { grant_type: 'authorization_code', code: redirect?.searchParams.get('code') ?? '', redirect_uri: redirectUri, client_id: clientId, client_secret: secret });
    expect(issued.status).toBe(200);
    const grantId = String(decodePayload(String(issued.body.access_token)).grant_id);

    const started = Date.now();
    await service.publishClient(clientId, { status: 'suspended' });
    const refused = await tokenRequest(service.url, { grant_type: 'refresh_token', refresh_token: String(issued.body.refresh_token), client_id: clientId, client_secret: secret });
    const elapsed = Date.now() - started;
    expect(refused.body.error).toBe('invalid_client');
    expect(elapsed).toBeLessThan(1000);

    const event = await eventually(() => service.revocations.find((each) => each.grantId === grantId), 15_000);
    expect(event).toMatchObject({ type: 'authorization.grant.revoked', reason: 'client_suspended', clientId });
    const text = await scrapeMetrics(service.metricsUrl);
    expect(metricValue(text, 'oauth_grant_revocations_total', { reason: 'client_suspended' })).toBeGreaterThanOrEqual(1);
  });

  it('reports its consumer lag on the client topic, 0 once caught up, and an empty outbox once published', async () => {
    const lag = async () => metricValue(await scrapeMetrics(service.metricsUrl), 'kafka_consumer_lag', { topic: 'registration.client.changed.v1', partition: '0' });
    await eventually(async () => ((await lag()) === 0 ? true : undefined), 15_000);
    await eventually(async () => (metricValue(await scrapeMetrics(service.metricsUrl), 'outbox_pending_events') === 0 ? true : undefined), 15_000);
  });
});
