import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, GRANT_REVOKED_TOPIC, type ClientStatus, type GrantRevokedEventV1 } from '@payer-access/client-status';
import { deadLetterTopicOf, type EventBus } from '@payer-access/events';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { metricValue } from '@payer-access/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';
import type { TestTokenIssuer } from './support/token-issuer';
import { serviceMetrics } from '@payer-access/http';

const PATIENT = SANDBOX_MEMBERS[0].patientId;
const CLIENT = 'metrics-app';

/** The revocation series on /metrics, fed by events on the bus and by the requests they refuse. */
describe('fhir revocation metrics', () => {
  let fhir: FhirTestApp;
  let issuer: TestTokenIssuer;
  let bus: EventBus;
  let app: INestApplication;

  async function scrape(): Promise<string> {
    const response = await request(serviceMetrics(app).handler()).get('/metrics').expect(200);
    return response.text;
  }

  async function untilMetric(name: string, labels: Record<string, string>, expected: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    let value: number | undefined;
    while ((value = metricValue(await scrape(), name, labels)) !== expected) {
      if (Date.now() > deadline) throw new Error(`${name} ${JSON.stringify(labels)} is ${value}, not ${expected}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const setStatus = (status: ClientStatus) => fhir.setClientStatus(CLIENT, status);

  async function revokeGrant(grantId: string): Promise<void> {
    const event: GrantRevokedEventV1 = {
      type: 'authorization.grant.revoked',
      version: 1,
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      grantId,
      clientId: CLIENT,
      reason: 'member_revoked',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    await bus.publish(GRANT_REVOKED_TOPIC, [{ key: grantId, value: event }]);
  }

  function read(token: string) {
    return request(app.getHttpServer()).get(`${BASE_PATH}/Patient/${PATIENT}`).set('Authorization', `Bearer ${token}`);
  }

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    ({ app, bus, issuer } = fhir);
  });

  afterAll(() => fhir?.close());

  it('shows its series with their help text from the start, at 0', async () => {
    const text = await scrape();
    for (const name of ['fhir_token_rejections_total', 'fhir_revocations_applied_total', 'kafka_consumer_lag']) expect(text).toContain(`# HELP ${name} `);
    expect(metricValue(text, 'fhir_revocations_applied_total', { source: 'grant_revoked' })).toBe(0);
    expect(metricValue(text, 'fhir_revocations_applied_total', { source: 'client_status' })).toBe(0);
    expect(metricValue(text, 'fhir_token_rejections_total', { reason: 'grant_revoked' })).toBe(0);
    expect(metricValue(text, 'fhir_token_rejections_total', { reason: 'client_not_approved' })).toBe(0);
  });

  it('counts each revoked grant once, and each request its tokens are refused', async () => {
    await setStatus('approved');
    const token = await issuer.token({ client_id: CLIENT, patient: PATIENT, grant_id: 'grant-1' });
    expect((await read(token)).status).not.toBe(401);

    await revokeGrant('grant-1');
    await untilMetric('fhir_revocations_applied_total', { source: 'grant_revoked' }, 1);
    // A redelivery changes nothing; the next grant (same partition, so after it) counts.
    await revokeGrant('grant-1');
    await revokeGrant('grant-2');
    await untilMetric('fhir_revocations_applied_total', { source: 'grant_revoked' }, 2);

    expect((await read(token)).status).toBe(401);
    expect((await read(token)).status).toBe(401);
    const text = await scrape();
    expect(metricValue(text, 'fhir_token_rejections_total', { reason: 'grant_revoked' })).toBe(2);
    expect(metricValue(text, 'fhir_token_rejections_total', { reason: 'client_not_approved' })).toBe(0);
    expect(text).not.toContain('grant-1');
  });

  it('counts a client leaving approved once, and the requests refused because of it', async () => {
    const token = await issuer.token({ client_id: CLIENT, patient: PATIENT, grant_id: 'grant-3' });
    await setStatus('suspended');
    await untilMetric('fhir_revocations_applied_total', { source: 'client_status' }, 1);
    await setStatus('terminated');

    expect((await read(token)).status).toBe(401);
    const text = await scrape();
    expect(metricValue(text, 'fhir_token_rejections_total', { reason: 'client_not_approved' })).toBe(1);
    // suspended → terminated takes nothing more away.
    expect(metricValue(text, 'fhir_revocations_applied_total', { source: 'client_status' })).toBe(1);
    expect(text).not.toContain(CLIENT);
  });

  it('parks a signed event that brings a terminated client back, counts it, and keeps refusing the client', async () => {
    const clientId = 'terminated-metrics-app';
    await fhir.setClientStatus(clientId, 'approved');
    await fhir.setClientStatus(clientId, 'terminated');
    const token = await issuer.token({ client_id: clientId, patient: PATIENT, grant_id: 'terminated-grant' });
    expect((await read(token)).status).toBe(401);
    // The builder refuses this transition, so it is written by hand, as a faulty or hostile producer would.
    const comeback = {
      type: 'registration.client.changed',
      version: 1,
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      clientId,
      registrationId: `registration-${clientId}`,
      kind: 'application',
      status: 'approved',
      previousStatus: 'terminated',
      clientVersion: 3,
      change: {},
      client: { name: 'Back', clientType: 'confidential', redirectUris: ['https://oidcdebugger.com/debug'], sealedSecretHash: null, allowedScopes: [], system: false },
    };
    await bus.publish(CLIENT_CHANGED_TOPIC, [{ key: clientId, value: comeback }]);
    await untilMetric('events_dead_lettered_total', { topic: CLIENT_CHANGED_TOPIC, reason: 'transition_not_allowed' }, 1);
    expect(fhir.rawBus.retained(deadLetterTopicOf(CLIENT_CHANGED_TOPIC)).map((event) => event.key)).toEqual([clientId]);
    expect((await read(token)).status).toBe(401);
  });
});
