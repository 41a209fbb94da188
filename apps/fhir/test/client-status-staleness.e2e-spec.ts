import type { INestApplication } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, createClientStatusHeartbeat } from '@payer-access/client-status';
import { DEAD_LETTER_HEADERS, deadLetterTopicOf, instanceGroupId, sandboxEventSigner, TrustedEventBus, type IncomingEvent } from '@payer-access/events';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { serviceMetrics } from '@payer-access/http';
import { metricValue } from '@payer-access/testing';
import request from 'supertest';
import { ClientStatusCache } from '../src/events/client-status.cache';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

const PATIENT = SANDBOX_MEMBERS[0].patientId;
const CLIENT = 'staleness-app';
const BOUND_SECONDS = 2;
/** The store is empty: a token that is honoured reads nothing (404), one that is not is refused first (401, 503). */
const HONOURED = 404;

/**
 * Bounded staleness at the FHIR API: tokens are honoured only while this service's view of client
 * statuses is younger than CLIENT_STATUS_MAX_STALENESS_SECONDS, as vouched for by registration's
 * signed heartbeats. Registration is played by the test: heartbeats stop as they would when
 * registration or the broker is gone.
 */
describe('fhir bounded staleness of client statuses', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  let token: string;
  const parked: IncomingEvent[] = [];

  const read = () => request(app.getHttpServer()).get(`${BASE_PATH}/Patient/${PATIENT}`).set('authorization', `Bearer ${token}`);
  const ready = () => request(app.getHttpServer()).get('/health/ready');
  const freshness = () => app.get(ClientStatusCache).freshness;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    fhir = await startFhirTestApp({ CLIENT_STATUS_MAX_STALENESS_SECONDS: String(BOUND_SECONDS) });
    app = fhir.app;
    await fhir.setClientStatus(CLIENT, 'approved');
    token = await fhir.issuer.token({ client_id: CLIENT, patient: PATIENT });
    await fhir.rawBus.subscribe({
      topic: deadLetterTopicOf(CLIENT_CHANGED_TOPIC),
      groupId: instanceGroupId('staleness-dlq'),
      fromBeginning: true,
      handler: async (event) => void parked.push(event),
    });
  });

  afterAll(async () => {
    await fhir?.close();
  });

  it('refuses every token with 503, Retry-After and an OperationOutcome until registration first vouches for its view', async () => {
    const response = await read();
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] });
    expect(response.body.issue[0].diagnostics).toMatch(/view of app statuses is out of date/);
    expect((await ready()).status).toBe(503);

    await fhir.heartbeat();
    expect((await read()).status).toBe(HONOURED);
    expect((await ready()).status).toBe(200);
  });

  it('fails closed once heartbeats stop for longer than the bound, and recovers when they flow again', async () => {
    await fhir.heartbeat();
    expect((await read()).status).toBe(HONOURED);
    await sleep(BOUND_SECONDS * 1000 + 300);
    expect((await read()).status).toBe(503);
    expect((await ready()).body).toMatchObject({ status: 'unavailable' });
    const scraped = (await request(serviceMetrics(app).handler()).get('/metrics').expect(200)).text;
    expect(metricValue(scraped, 'client_status_view_age_seconds')).toBeGreaterThan(BOUND_SECONDS);

    await fhir.heartbeat();
    expect((await read()).status).toBe(HONOURED);
  });

  it('parks forged, unsigned and malformed heartbeats; none of them makes the view current', async () => {
    await sleep(BOUND_SECONDS * 1000 + 300);
    expect((await read()).status).toBe(503);
    const before = freshness().currentAsOf();

    const forger = new TrustedEventBus(fhir.rawBus, { signer: await sandboxEventSigner('authorization'), trustedKeys: {} });
    await forger.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: createClientStatusHeartbeat(new Date()) }]);
    await fhir.rawBus.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: createClientStatusHeartbeat(new Date()) }]);
    await fhir.bus.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: { type: 'registration.client-status.heartbeat', version: 1, watermark: 'now' } }]);

    const deadline = Date.now() + 5_000;
    while (parked.filter((event) => event.key === CLIENT_STATUS_HEARTBEAT_KEY).length < 3 && Date.now() < deadline) await sleep(10);
    expect(parked.filter((event) => event.key === CLIENT_STATUS_HEARTBEAT_KEY).map((event) => event.headers[DEAD_LETTER_HEADERS.reason])).toEqual([
      'bad_signature',
      'bad_signature',
      'invalid_event',
    ]);
    expect(freshness().currentAsOf()).toBe(before);
    expect((await read()).status).toBe(503);
  });

  it('applies a suspension published before a heartbeat before the heartbeat makes the view current', async () => {
    await fhir.setClientStatus(CLIENT, 'suspended');
    await fhir.heartbeat();
    const response = await read();
    expect(response.status).toBe(401);
    expect(response.body.issue[0].diagnostics).toMatch(/not approved/);
  });
});
