import type { INestApplication } from '@nestjs/common';
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { REPRESENTATIVE_RECORDED_TOPIC, type RepresentativeRecordedEventV1 } from '@payer-access/client-status';
import { deadLetterTopicOf, sandboxEventSigner, TrustedEventBus } from '@payer-access/events';
import { serviceMetrics } from '@payer-access/http';
import { metricValue } from '@payer-access/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ResourceRepository } from '../src/store/resource.repository';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

const SEED_CLIENT = 'JVjR77J3j4BaRVqoDtLx';
const MEMBER = 'rp-member';
const OTHER_MEMBER = 'rp-other';
const DLQ = deadLetterTopicOf(REPRESENTATIVE_RECORDED_TOPIC);

function recorded(overrides: Partial<RepresentativeRecordedEventV1> = {}): RepresentativeRecordedEventV1 {
  return {
    type: 'authorization.representative.recorded',
    version: 1,
    eventId: randomUUID(),
    occurredAt: '2026-12-01T14:00:00.000Z',
    relatedPersonId: randomUUID(),
    patientId: MEMBER,
    grantId: `grant-${randomUUID()}`,
    clientId: SEED_CLIENT,
    relationship: 'court_ordered_guardianship',
    relationshipText: null,
    name: 'Zoë Gale-Okafor',
    ...overrides,
  };
}

/**
 * A Personal Representative's RelatedPerson, created by the FHIR service from the authorization
 * service's signed event and served in the member's compartment under the id of the token's
 * `fhirUser`.
 */
describe('RelatedPerson of a personal representative (from authorization.representative.recorded.v1)', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  const get = (path: string, token: string) => request(app.getHttpServer()).get(`${BASE_PATH}/${path}`).set('Authorization', `Bearer ${token}`);
  const tokenFor = (patient: string, relatedPersonId?: string) =>
    fhir.issuer.token({ patient, sub: `account-${patient}`, grant_id: `grant-${patient}`, ...(relatedPersonId ? { fhirUser: `RelatedPerson/${relatedPersonId}` } : {}) });
  const publish = (event: object, key: string) => fhir.bus.publish(REPRESENTATIVE_RECORDED_TOPIC, [{ key, value: event }]);

  async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const deadLettered = async (reason: string) =>
    metricValue((await request(serviceMetrics(app).handler()).get('/metrics')).text, 'events_dead_lettered_total', { topic: REPRESENTATIVE_RECORDED_TOPIC, reason }) ?? 0;

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    app = fhir.app;
    await app.get(ResourceRepository).write([
      { resourceType: 'Patient', id: MEMBER, name: [{ family: 'Member' }] },
      { resourceType: 'Patient', id: OTHER_MEMBER, name: [{ family: 'Other' }] },
    ] as Resource[]);
    await fhir.setClientStatus(SEED_CLIENT, 'approved');
  });

  afterAll(() => fhir?.close());

  it('is 404 before the event arrives, then the C4BB-RelatedPerson with the name and relationship given at consent', async () => {
    const event = recorded();
    const token = await tokenFor(MEMBER, event.relatedPersonId);
    const early = await get(`RelatedPerson/${event.relatedPersonId}`, token);
    expect(early.status).toBe(404);
    expect(early.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });

    await publish(event, event.relatedPersonId);
    const read = await eventually('the RelatedPerson', async () => {
      const response = await get(`RelatedPerson/${event.relatedPersonId}`, token);
      return response.status === 200 ? response : undefined;
    });
    expect(read.body).toEqual({
      resourceType: 'RelatedPerson',
      id: event.relatedPersonId,
      meta: { versionId: '1', lastUpdated: event.occurredAt, profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-RelatedPerson|2.1.0'] },
      active: true,
      patient: { reference: `Patient/${MEMBER}` },
      relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'GUARD', display: 'guardian' }], text: 'Court ordered guardianship' }],
      name: [{ text: 'Zoë Gale-Okafor' }],
    });

    // In the member's compartment: searchable by patient and name, with the member's other data.
    const byPatient = await get(`RelatedPerson?patient=${MEMBER}`, token);
    expect(byPatient.status).toBe(200);
    expect(((byPatient.body as Bundle).entry ?? []).map((entry) => entry.resource?.id)).toContain(event.relatedPersonId);
    const byName = await get('RelatedPerson?name=zoe', token);
    expect(((byName.body as Bundle).entry ?? []).map((entry) => entry.resource?.id)).toEqual([event.relatedPersonId]);
    const withPatient = await get(`Patient?_id=${MEMBER}&_revinclude=RelatedPerson:patient`, token);
    expect(((withPatient.body as Bundle).entry ?? []).map((entry) => entry.resource?.id)).toEqual(expect.arrayContaining([MEMBER, event.relatedPersonId]));

    // Another member's token: it does not exist.
    const other = await tokenFor(OTHER_MEMBER);
    expect((await get(`RelatedPerson/${event.relatedPersonId}`, other)).status).toBe(404);
    expect((await get(`RelatedPerson?patient=${MEMBER}`, other)).body.total).toBe(0);
    expect((await get('RelatedPerson?name=zoe', other)).body.total).toBe(0);
  });

  it('is created once however often the event is delivered, and never changed by a later one with the same id', async () => {
    const event = recorded({ relationship: 'other', relationshipText: 'Adult daughter', name: 'Mina Park' });
    const token = await tokenFor(MEMBER);
    await publish(event, event.relatedPersonId);
    await publish(event, event.relatedPersonId);
    await publish({ ...event, eventId: randomUUID(), name: 'Someone Else' }, event.relatedPersonId);
    // A marker event behind them on the same partition: once it is applied, so are they.
    const marker = recorded();
    await publish(marker, marker.relatedPersonId);
    await eventually('the marker', async () => ((await get(`RelatedPerson/${marker.relatedPersonId}`, token)).status === 200 ? true : undefined));
    const read = await get(`RelatedPerson/${event.relatedPersonId}`, token);
    expect(read.body.meta.versionId).toBe('1');
    expect(read.body.name).toEqual([{ text: 'Mina Park' }]);
    expect(read.body.relationship[0].text).toBe('Adult daughter');
    const rows: unknown[] = await app.get(DataSource).query(`SELECT 1 FROM resource WHERE resource_type = 'RelatedPerson' AND id = $1`, [event.relatedPersonId]);
    expect(rows).toHaveLength(1);
  });

  it('dead-letters malformed and forged events and goes on with the next', async () => {
    const token = await tokenFor(MEMBER);
    const invalidBefore = await deadLettered('invalid_event');
    const forgedBefore = await deadLettered('bad_signature');

    const nul = recorded({ name: 'Ana\u0000Doe' });
    const wrongKey = recorded();
    const wrongTypes = { ...recorded(), relationship: 7, patientId: ['x'] };
    const unknownRelationship = recorded({ relationship: 'neighbour' as never });
    const oversized = recorded({ name: 'x'.repeat(100_000) });
    await publish(nul, nul.relatedPersonId);
    await publish(wrongKey, randomUUID());
    await publish(wrongTypes, wrongTypes.relatedPersonId);
    await publish(unknownRelationship, unknownRelationship.relatedPersonId);
    await publish(oversized, oversized.relatedPersonId);
    // Unsigned, and signed by registration, which does not produce this topic.
    const forged = recorded({ patientId: OTHER_MEMBER });
    await fhir.rawBus.publish(REPRESENTATIVE_RECORDED_TOPIC, [{ key: forged.relatedPersonId, value: forged }]);
    const impostor = new TrustedEventBus(fhir.rawBus, { signer: await sandboxEventSigner('registration'), trustedKeys: {} });
    const forgedByRegistration = recorded();
    await impostor.publish(REPRESENTATIVE_RECORDED_TOPIC, [{ key: forgedByRegistration.relatedPersonId, value: forgedByRegistration }]);
    const good = recorded();
    await publish(good, good.relatedPersonId);

    await eventually('the good event', async () => ((await get(`RelatedPerson/${good.relatedPersonId}`, token)).status === 200 ? true : undefined));
    expect(await deadLettered('invalid_event')).toBe(invalidBefore + 5);
    expect(await deadLettered('bad_signature')).toBe(forgedBefore + 2);
    const parked = fhir.rawBus.retained(DLQ).map((event) => event.key);
    expect(parked).toEqual(expect.arrayContaining([nul.relatedPersonId, wrongTypes.relatedPersonId, unknownRelationship.relatedPersonId, oversized.relatedPersonId, forged.relatedPersonId, forgedByRegistration.relatedPersonId]));
    for (const bad of [nul, wrongKey, oversized, forged, forgedByRegistration]) {
      expect((await get(`RelatedPerson/${bad.relatedPersonId}`, token)).status).toBe(404);
      expect((await get(`RelatedPerson/${bad.relatedPersonId}`, await tokenFor(OTHER_MEMBER))).status).toBe(404);
    }
  });

  it('is listed in the CapabilityStatement: read and search, with the C4BB profile and its search parameters', async () => {
    const statement = (await request(app.getHttpServer()).get(`${BASE_PATH}/metadata`)).body as CapabilityStatement;
    const relatedPerson = statement.rest?.[0]?.resource?.find((resource) => resource.type === 'RelatedPerson');
    expect(relatedPerson).toMatchObject({
      supportedProfile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-RelatedPerson'],
      interaction: [{ code: 'read' }, { code: 'search-type' }],
    });
    expect(relatedPerson?.searchParam?.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['_id', 'patient', 'name']));
  });
});
