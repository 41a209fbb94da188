import type { INestApplication } from '@nestjs/common';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { AccessAuditService } from '../src/audit/access-audit.service';
import type { FhirPrincipal } from '../src/auth/fhir-principal';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

const SEED_CLIENT = 'JVjR77J3j4BaRVqoDtLx';
const MEMBER = SANDBOX_MEMBERS[0].patientId;

/** Malformed requests get a 4xx OperationOutcome, never a server error. */
describe('fhir service under hostile input', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  let http: App;
  let token: string;

  const get = (path: string) => request(http).get(`${BASE_PATH}/${path}`).set('Authorization', `Bearer ${token}`);

  function expectOutcome(response: request.Response, status: number, diagnostics?: RegExp): void {
    expect([response.status, response.body.resourceType]).toEqual([status, 'OperationOutcome']);
    if (diagnostics) expect(response.body.issue[0].diagnostics).toMatch(diagnostics);
    expect(response.text).not.toMatch(/\n\s+at |QueryFailedError|syntax error at|SELECT /);
  }

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    app = fhir.app;
    http = app.getHttpServer();
    await app.get(NdjsonLoader).load(sandboxDataSet());
    await fhir.setClientStatus(SEED_CLIENT, 'approved');
    token = await fhir.issuer.token({ patient: MEMBER });
  });

  afterAll(async () => {
    await fhir?.close();
  });

  it.each([
    ['_lastUpdated', 'ExplanationOfBenefit?_lastUpdated=gt9999'],
    ['_lastUpdated', 'Coverage?_lastUpdated=le9999-12-31T23:59:59Z'],
    ['birthdate', 'Patient?birthdate=lt0001-01-01T00:00:00%2B14:00'],
    ['birthdate', 'Patient?birthdate=9999-12-31T20:00-05:00'],
    ['service-date', 'ExplanationOfBenefit?service-date=ge9999-12-31'],
  ])('answers a %s at the edge of the calendar with a 400 naming it (%s)', async (parameter, path) => {
    const response = await get(path);
    expectOutcome(response, 400, /between 0001-01-01 and 9999-12-31/);
    expect(response.body.issue[0].expression).toEqual([parameter]);
  });

  it.each([
    'Patient?name=a%00b',
    'ExplanationOfBenefit?type=%00',
    'ExplanationOfBenefit?identifier=urn:x%7C%00',
    'Coverage?_id=%00',
    'Patient/abc%00',
    'ExplanationOfBenefit?_sort=%00',
    'Patient?%00=1',
  ])('refuses a NUL byte in a search value or path with 400: %s', async (path) => {
    expectOutcome(await get(path), 400, /NUL/);
  });

  it.each(['Patient?name=%FF', 'Patient?name=%C3%28', 'Patient/%E0%A4%A', 'Patient?family=%ED%A0%80', 'Patient%FF'])(
    'refuses invalid UTF-8 in the path or query with 400: %s',
    async (path) => {
      expectOutcome(await get(path), 400, /UTF/);
    },
  );

  it('answers a body sent to a route that does not exist with 404, whatever the body', async () => {
    const bodies: Array<[string, string | Buffer, Record<string, string>]> = [
      ['not JSON', '{"resourceType":', { 'content-type': 'application/fhir+json' }],
      ['too large', Buffer.alloc(2 * 1024 * 1024, 0x61), { 'content-type': 'application/json' }],
      ['nested 20,000 deep', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, { 'content-type': 'application/json' }],
      ['an unknown encoding', 'abc', { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }],
      ['a gzip that is not', 'abc', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ];
    for (const [what, body, headers] of bodies) {
      for (const [method, path] of [
        ['post', `${BASE_PATH}/Patient`],
        ['put', `${BASE_PATH}/Patient/${MEMBER}`],
        ['post', `${BASE_PATH}/Nothing/here`],
        ['patch', `${BASE_PATH}/metadata`],
        ['delete', `${BASE_PATH}/Coverage`],
        ['post', '/no/such/route'],
      ] as const) {
        const response = await request(http)[method](path).set(headers).set('Authorization', `Bearer ${token}`).send(body);
        expect([what, method, path, response.status]).toEqual([what, method, path, 404]);
        expect(response.body.resourceType).toBe('OperationOutcome');
      }
    }
  });

  it('answers odd parameters of the right name with 400 or a result, never a server error', async () => {
    for (const path of [
      'Patient?_count=99999999999999999999999',
      'Patient?_count=-1',
      'Patient?_count=1e400',
      'ExplanationOfBenefit?_count=1&_count=2',
      'Patient?birthdate=2020&birthdate=2021&birthdate=ge1900',
      'ExplanationOfBenefit?type=%F0%9F%98%80',
      'Patient?name=%E2%80%AE%EF%BB%BF',
      `Patient?_id=${'a'.repeat(5000)}`,
      'ExplanationOfBenefit?_include=*',
      'ExplanationOfBenefit?_include=ExplanationOfBenefit:patient:Patient:x',
      'ExplanationOfBenefit?_sort=-_lastUpdated,-_lastUpdated',
      'Patient?_elements=' + ','.repeat(500),
    ]) {
      const response = await get(path);
      expect([path, response.status < 500]).toEqual([path, true]);
      expect(response.body.resourceType).toMatch(/^(Bundle|OperationOutcome)$/);
    }
  });

  it('marks every answer no-store and nosniff, the capability statement and errors included', async () => {
    for (const response of [await get(`Patient/${MEMBER}`), await get('Patient?name=%00'), await request(http).get(`${BASE_PATH}/metadata`)]) {
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('keeps the audit rows of a batch when one of them holds a NUL byte or an unpaired surrogate', async () => {
    const audit = app.get(AccessAuditService);
    const dataSource = app.get(DataSource);
    await audit.flush();
    await dataSource.query('DELETE FROM access_audit');
    const principal = (clientId: string): FhirPrincipal => ({
      kind: 'member',
      clientId,
      subject: 'member',
      patientId: MEMBER,
      scopes: [],
      scope: '',
      withholdDemographics: false,
      withholdSensitive: false,
      expiresAt: new Date(Date.now() + 60_000),
    });
    audit.record(principal('before'), { interaction: 'search', resourceType: 'Patient', query: 'name=ok', status: 200, resultCount: 1 });
    audit.record(principal('hostile\u0000client'), { interaction: 'search', resourceType: 'Patient', query: 'name=a\u0000b\ud800', status: 400 });
    audit.record(principal('after'), { interaction: 'read', resourceType: 'Patient', resourceId: MEMBER, status: 200, resultCount: 1 });
    await audit.flush();
    const rows = await dataSource.query('SELECT client_id, query FROM access_audit ORDER BY id');
    expect(rows).toEqual([
      { client_id: 'before', query: 'name=ok' },
      // What PostgreSQL text cannot hold is stored as U+FFFD; the rest of the row, and the batch, survive.
      { client_id: 'hostile\uFFFDclient', query: 'name=a\uFFFDb\uFFFD' },
      { client_id: 'after', query: null },
    ]);
  });
});
