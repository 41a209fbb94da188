import type { INestApplication } from '@nestjs/common';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { GRANT_REVOKED_TOPIC, type ClientStatus } from '@payer-access/client-status';
import type { EventBus } from '@payer-access/events';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { fhirSchemaErrors, sandboxDataSet } from '@payer-access/synthetic-data';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccessAuditService } from '../src/audit/access-audit.service';
import { GrantDenylist } from '../src/events/grant-denylist';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { ResourceRepository } from '../src/store/resource.repository';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';
import type { TestTokenIssuer } from './support/token-issuer';

const SEED_CLIENT = 'JVjR77J3j4BaRVqoDtLx';
const [MEMBER_03, MEMBER_04, MEMBER_05, MEMBER_06] = SANDBOX_MEMBERS.map((member) => member.patientId);

describe('fhir Patient Access API (seed 002)', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  let issuer: TestTokenIssuer;
  let bus: EventBus;
  let base: string;
  const tokens: Record<string, string> = {};

  const setClientStatus = (clientId: string, status: ClientStatus, options?: { notBefore?: Date }) => fhir.setClientStatus(clientId, status, options);

  /** Polls with a deadline: events reach the consumers asynchronously. */
  async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** GET with a token; every response body must be valid against the FHIR R4 JSON schema. */
  async function get(path: string, token: string | null = tokens.member03) {
    const call = request(app.getHttpServer()).get(path.startsWith('/') ? path : `${BASE_PATH}/${path}`);
    const response = await (token ? call.set('Authorization', `Bearer ${token}`) : call);
    if (response.headers['content-type']?.includes('json') && response.body?.resourceType) {
      expect(fhirSchemaErrors(response.body)).toEqual([]);
    }
    return response;
  }

  function ids(bundle: Bundle): string[] {
    return (bundle.entry ?? []).filter((entry) => entry.search?.mode === 'match').map((entry) => entry.resource?.id ?? '');
  }

  function relativeLink(bundle: Bundle, relation: string): string | undefined {
    const url = bundle.link?.find((link) => link.relation === relation)?.url;
    return url === undefined ? undefined : url.slice(url.indexOf(BASE_PATH));
  }

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    ({ app, bus, issuer } = fhir);
    const report = await app.get(NdjsonLoader).load(sandboxDataSet());
    expect(report.rejected).toBe(0);
    base = fhir.fhirBase;
    await setClientStatus(SEED_CLIENT, 'approved');
    tokens.member03 = await issuer.token({ patient: MEMBER_03, fhirUser: `Patient/${MEMBER_03}` });
    tokens.member04 = await issuer.token({ patient: MEMBER_04, sub: 'member-4' });
    tokens.member05 = await issuer.token({ patient: MEMBER_05, sub: 'member-5' });
    tokens.member06 = await issuer.token({ patient: MEMBER_06, sub: 'member-6' });
  });

  afterAll(() => fhir?.close());

  describe('Patient', () => {
    it("reads the seed's Patient example with ETag, Last-Modified, meta.profile and the FHIR media type", async () => {
      const response = await get(`Patient/${MEMBER_04}`, tokens.member04);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
      expect(response.headers.etag).toBe('W/"1"');
      expect(new Date(response.headers['last-modified']).getTime()).not.toBeNaN();
      expect(response.body).toMatchObject({
        resourceType: 'Patient',
        id: MEMBER_04,
        name: [{ use: 'usual', family: 'Doe', given: ['Jane', 'X'] }],
        gender: 'unknown',
        birthDate: '2014-06-01',
        address: [{ district: '999', state: '15', postalCode: '99999' }],
        meta: { profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient'] },
      });
    });

    it("treats another member's Patient as not existing (404 OperationOutcome)", async () => {
      const response = await get(`Patient/${MEMBER_04}`, tokens.member03);
      expect(response.status).toBe(404);
      expect(response.body.issue[0].code).toBe('not-found');
    });

    it('answers _id with _lastUpdated=gt and the DSTU2 _format spelling as seed 002 shows', async () => {
      const response = await get(`Patient?_id=${MEMBER_05}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir`, tokens.member05);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
      expect(response.body.entry[0].resource.meta.lastUpdated).toBe('2020-02-13T21:53:06.017-05:00');
      const self = response.body.link.find((link: { relation: string }) => link.relation === 'self').url;
      expect(self).toContain('_lastUpdated=gt2020-02-13T08:00:00-05:00');
      expect(self).toContain(`_id=${MEMBER_05}`);

      const later = await get(`Patient?_id=${MEMBER_05}&_lastUpdated=gt2020-02-14T08:00:00-05:00`, tokens.member05);
      expect(later.body.total).toBe(0);
    });

    it.each(['json', 'application/json', 'application/fhir+json'])('accepts _format=%s', async (format) => {
      const response = await get(`Patient/${MEMBER_05}?_format=${encodeURIComponent(format)}`, tokens.member05);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain(format === 'application/json' ? 'application/json' : 'application/fhir+json');
    });

    it('refuses an unsupported _format with a 400 OperationOutcome', async () => {
      const response = await get(`Patient/${MEMBER_05}?_format=xml`, tokens.member05);
      expect(response.status).toBe(400);
      expect(response.body.resourceType).toBe('OperationOutcome');
    });

    it('removes withheld demographics and marks the Patient REDACTED', async () => {
      const token = await issuer.token({ patient: MEMBER_04, withhold_demographics: true });
      const response = await get(`Patient/${MEMBER_04}`, token);
      expect(response.status).toBe(200);
      expect(response.body.name).toBeUndefined();
      expect(response.body.birthDate).toBeUndefined();
      expect(response.body.address).toBeUndefined();
      expect(response.body.meta.security).toEqual([expect.objectContaining({ code: 'REDACTED' })]);
      const search = await get('Patient', token);
      expect(search.body.entry[0].resource.name).toBeUndefined();
    });
  });

  describe('Coverage', () => {
    it('finds parts A, B, C and D by beneficiary with the seed extensions', async () => {
      const response = await get(`Coverage/?beneficiary=${MEMBER_04}`, tokens.member04);
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(4);
      expect(ids(response.body).sort()).toEqual([`part-a${MEMBER_04}`, `part-b${MEMBER_04}`, `part-c${MEMBER_04}`, `part-d${MEMBER_04}`]);
      const partA = response.body.entry.find((entry: { resource: Resource }) => entry.resource.id === `part-a${MEMBER_04}`).resource;
      expect(partA.extension.map((extension: { url: string }) => extension.url.split('/').pop())).toEqual(['ms_cd', 'orec', 'esrd_ind', 'a_trm_cd']);
      expect(partA.meta.profile).toEqual(['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage']);
    });

    it('includes the payor Organization with _include=Coverage:payor', async () => {
      const response = await get(`Coverage?beneficiary=${MEMBER_04}&_include=Coverage:payor`, tokens.member04);
      const included = response.body.entry.filter((entry: { search: { mode: string } }) => entry.search.mode === 'include');
      expect(included.map((entry: { resource: Resource }) => `${entry.resource.resourceType}/${entry.resource.id}`)).toEqual(['Organization/payer']);
    });
  });

  describe('ExplanationOfBenefit', () => {
    it.each([
      ['patient=-20140000000024', 148],
      ['', 148],
      ['type=carrier', 44],
      ['type=inpatient', 1],
      ['type=pde', 103],
      ['type=carrier,inpatient', 45],
      ['patient=-20140000000024&type=carrier,dme,hha,hospice,inpatient,outpatient,snf', 45],
      ['type=https://bluebutton.cms.gov/resources/codesystem/eob-type|pde', 103],
      ['type=http://localhost:3003/resources/codesystem/eob-type|carrier', 44],
      ['type=http://localhost:3003/resources/codesystem/eobtype|inpatient', 1],
      ['patient=Patient/-20140000000024&type=pde&_count=5', 103],
    ])('?%s has %d matches', async (query, total) => {
      const response = await get(`ExplanationOfBenefit/?${query}`);
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(total);
      expect(response.body.entry.length).toBe(Math.min(total, /_count=5/.test(query) ? 5 : 10));
    });

    it('refuses type=CARRIER (wrong case) with a 400 saying "not a valid value"', async () => {
      const response = await get('ExplanationOfBenefit?type=CARRIER');
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/fhir+json');
      expect(response.body.resourceType).toBe('OperationOutcome');
      expect(response.body.issue[0].diagnostics).toContain('not a valid value');
      expect(response.body.issue[0].details.text).toContain('not a valid value');
    });

    it.each([['foo=bar'], ['type=rx'], ['_count=abc'], ['startIndex=-1'], ['service-date=yesterday'], ['_lastUpdated=xx2020-01-01']])(
      'refuses the malformed or unknown %s with a 400 OperationOutcome',
      async (query) => {
        const response = await get(`ExplanationOfBenefit?${query}`);
        expect(response.status).toBe(400);
        expect(response.body.resourceType).toBe('OperationOutcome');
      },
    );

    it.each([10, 50])('pages through all 148 EOBs by %d following next links, without gaps or repeats', async (count) => {
      const seen: string[] = [];
      let next: string | undefined = `${BASE_PATH}/ExplanationOfBenefit?patient=${MEMBER_03}&_count=${count}`;
      let pages = 0;
      while (next) {
        const response = await get(next);
        expect(response.status).toBe(200);
        expect(response.body.total).toBe(148);
        seen.push(...ids(response.body));
        const bundle: Bundle = response.body;
        expect(relativeLink(bundle, 'first')).toBe(`${BASE_PATH}/ExplanationOfBenefit?_count=${count}&startIndex=0&patient=${MEMBER_03}`);
        expect(relativeLink(bundle, 'last')).toBe(`${BASE_PATH}/ExplanationOfBenefit?_count=${count}&startIndex=${Math.floor(147 / count) * count}&patient=${MEMBER_03}`);
        if (pages > 0) expect(relativeLink(bundle, 'previous')).toBeDefined();
        next = relativeLink(bundle, 'next');
        pages += 1;
      }
      expect(pages).toBe(Math.ceil(148 / count));
      expect(seen).toHaveLength(148);
      expect(new Set(seen).size).toBe(148);
    });

    it('keeps pages stable while EOBs are added during paging', async () => {
      const repository = app.get(ResourceRepository);
      const first = await get(`ExplanationOfBenefit?patient=${MEMBER_06}&_count=10`, tokens.member06);
      const total = first.body.total as number;
      const seen = ids(first.body);
      const template = first.body.entry[0].resource;
      await repository.write([{ ...template, id: 'carrier-99999999901', meta: { ...template.meta, lastUpdated: '2019-01-01T00:00:00Z' } }]);
      let next = relativeLink(first.body, 'next');
      while (next) {
        const page = await get(next, tokens.member06);
        seen.push(...ids(page.body));
        next = relativeLink(page.body, 'next');
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(total + 1);
      expect(seen.at(-1)).toBe('carrier-99999999901');
    });

    it('filters _lastUpdated with two bounds (an interval), as in seed 002', async () => {
      const all = await get(`ExplanationOfBenefit?patient=Patient/${MEMBER_05}`, tokens.member05);
      expect(all.body.total).toBe(8);
      const interval = await get(
        `ExplanationOfBenefit?patient=Patient/${MEMBER_05}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00&_format=application%2Fjson%2Bfhir`,
        tokens.member05,
      );
      expect(interval.status).toBe(200);
      expect(interval.body.total).toBe(4);
      for (const entry of interval.body.entry) {
        const updated = Date.parse(entry.resource.meta.lastUpdated);
        expect(updated).toBeGreaterThan(Date.parse('2020-02-13T08:00:00-05:00'));
        expect(updated).toBeLessThan(Date.parse('2020-02-14T08:00:00-05:00'));
      }
      const self = interval.body.link.find((link: { relation: string }) => link.relation === 'self').url as string;
      expect(self.match(/_lastUpdated=/g)).toHaveLength(2);
      expect((await get(`ExplanationOfBenefit?_lastUpdated=le2020-02-13T08:00:00-05:00`, tokens.member05)).body.total).toBe(0);
      expect((await get(`ExplanationOfBenefit?_lastUpdated=ge2020-02-13`, tokens.member05)).body.total).toBe(8);
      expect((await get(`ExplanationOfBenefit?_lastUpdated=eq2020-02-13`, tokens.member05)).body.total).toBe(4);
      expect((await get(`ExplanationOfBenefit?_lastUpdated=eq2020-02-12`, tokens.member05)).body.total).toBe(0);
      expect((await get(`ExplanationOfBenefit?_lastUpdated=lt2020-03-01`, tokens.member05)).body.total).toBe(4);
    });

    it('searches by identifier, service-date, service-start-date, billable-period-start and _id', async () => {
      const page = await get('ExplanationOfBenefit?type=inpatient');
      const eob = page.body.entry[0].resource;
      const claimId = eob.identifier[0].value;
      const start = eob.billablePeriod.start as string;
      expect((await get(`ExplanationOfBenefit?identifier=${claimId}`)).body.total).toBe(1);
      expect((await get(`ExplanationOfBenefit?identifier=https://bluebutton.cms.gov/resources/variables/clm_id|${claimId}`)).body.total).toBe(1);
      expect((await get(`ExplanationOfBenefit?_id=${eob.id}`)).body.total).toBe(1);
      const byServiceDate = await get(`ExplanationOfBenefit?type=inpatient&service-date=ge${start}`);
      expect(ids(byServiceDate.body)).toEqual([eob.id]);
      expect((await get(`ExplanationOfBenefit?type=inpatient&service-start-date=${start}`)).body.total).toBe(1);
      expect((await get(`ExplanationOfBenefit?type=inpatient&billable-period-start=eq${start}`)).body.total).toBe(1);
      expect((await get(`ExplanationOfBenefit?type=inpatient&billable-period-start=lt${start}`)).body.total).toBe(0);
    });

    it('adds the referenced Patient, Coverage, Organization and Practitioners with _include=ExplanationOfBenefit:*', async () => {
      const response = await get('ExplanationOfBenefit?type=inpatient&_include=ExplanationOfBenefit:*');
      const included = (response.body.entry as { resource: Resource; search: { mode: string } }[])
        .filter((entry) => entry.search.mode === 'include')
        .map((entry) => entry.resource.resourceType);
      expect(new Set(included)).toEqual(new Set(['Patient', 'Organization', 'Practitioner', 'Coverage']));
      const named = await get('ExplanationOfBenefit?type=inpatient&_include=ExplanationOfBenefit:coverage');
      expect(named.body.entry.filter((entry: { search: { mode: string } }) => entry.search.mode === 'include').map((entry: { resource: Resource }) => entry.resource.id)).toEqual([`part-a${MEMBER_03}`]);
    });

    it('returns only the asked and the mandatory elements with _elements, tagged SUBSETTED', async () => {
      const response = await get('ExplanationOfBenefit?type=inpatient&_elements=billablePeriod');
      const resource = response.body.entry[0].resource;
      expect(Object.keys(resource).sort()).toEqual(
        ['billablePeriod', 'created', 'id', 'insurance', 'insurer', 'meta', 'outcome', 'patient', 'provider', 'resourceType', 'status', 'type', 'use'],
      );
      expect(resource.meta.tag).toEqual([expect.objectContaining({ code: 'SUBSETTED' })]);
    });

    it('sorts by _lastUpdated, counts with _summary=count and refuses sorts it cannot run', async () => {
      const sorted = await get(`ExplanationOfBenefit?_sort=-_lastUpdated&_count=50`, tokens.member06);
      const instants = sorted.body.entry.map((entry: { resource: Resource }) => Date.parse(entry.resource.meta?.lastUpdated ?? ''));
      expect(instants).toEqual([...instants].sort((a, b) => b - a));
      const counted = await get('ExplanationOfBenefit?type=pde&_summary=count');
      expect(counted.body.total).toBe(103);
      expect(counted.body.entry).toBeUndefined();
      const refused = await get('ExplanationOfBenefit?_sort=service-date');
      expect(refused.status).toBe(400);
      expect(refused.body.issue[0].code).toBe('not-supported');
    });

    it('adds the member\'s EOBs to a Patient search with _revinclude', async () => {
      const response = await get(`Patient?_revinclude=ExplanationOfBenefit:patient`, tokens.member05);
      const modes = response.body.entry.map((entry: { search: { mode: string }; resource: Resource }) => `${entry.search.mode}:${entry.resource.resourceType}`);
      expect(modes.filter((mode: string) => mode === 'match:Patient')).toHaveLength(1);
      expect(modes.filter((mode: string) => mode === 'include:ExplanationOfBenefit')).toHaveLength(8);
    });

    it('every EOB carries a CARIN Blue Button profile', async () => {
      const response = await get(`ExplanationOfBenefit?patient=${MEMBER_06}&_count=100`, tokens.member06);
      for (const entry of response.body.entry) {
        expect(entry.resource.meta.profile[0]).toMatch(/^http:\/\/hl7\.org\/fhir\/us\/carin-bb\/StructureDefinition\/C4BB-ExplanationOfBenefit-/);
      }
      const types = new Set(response.body.entry.map((entry: { resource: { type: { coding: { code: string }[] } } }) => entry.resource.type.coding[0].code));
      expect(types.size).toBe(8);
    });
  });

  describe('compartment and scopes', () => {
    it("returns nothing for a search naming another member's patient", async () => {
      const response = await get(`ExplanationOfBenefit?patient=${MEMBER_04}`, tokens.member03);
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(0);
      expect((await get(`Coverage?beneficiary=${MEMBER_04}`, tokens.member03)).body.total).toBe(0);
    });

    it("treats another member's EOB as not existing", async () => {
      const theirs = await get('ExplanationOfBenefit?_count=1', tokens.member04);
      const id = theirs.body.entry[0].resource.id;
      expect((await get(`ExplanationOfBenefit/${id}`, tokens.member04)).status).toBe(200);
      expect((await get(`ExplanationOfBenefit/${id}`, tokens.member03)).status).toBe(404);
    });

    it('refuses types the scopes do not cover with 403, and allows v2 scopes', async () => {
      const patientOnly = await issuer.token({ patient: MEMBER_03, scope: 'openid patient/Patient.read' });
      const refused = await get('ExplanationOfBenefit', patientOnly);
      expect(refused.status).toBe(403);
      expect(refused.body.issue[0].code).toBe('forbidden');
      expect((await get(`Patient/${MEMBER_03}`, patientOnly)).status).toBe(200);
      const includeRefused = await get(`Patient?_revinclude=ExplanationOfBenefit:patient`, patientOnly);
      expect(includeRefused.status).toBe(403);

      const v2 = await issuer.token({ patient: MEMBER_03, scope: 'patient/Coverage.rs' });
      expect((await get('Coverage', v2)).body.total).toBe(4);
      expect((await get(`Patient/${MEMBER_03}`, v2)).status).toBe(403);
      const readOnly = await issuer.token({ patient: MEMBER_03, scope: 'patient/Coverage.r' });
      expect((await get('Coverage', readOnly)).status).toBe(403);
    });
  });

  describe('clinical resources (US Core)', () => {
    it.each([
      'Condition',
      'Observation',
      'AllergyIntolerance',
      'Procedure',
      'Immunization',
      'MedicationRequest',
      'Encounter',
      'DiagnosticReport',
      'DocumentReference',
      'CarePlan',
      'CareTeam',
      'Goal',
    ])('searches %s by patient and reads it back', async (type) => {
      const response = await get(`${type}?patient=${MEMBER_06}`, tokens.member06);
      expect(response.status).toBe(200);
      // Each sandbox member also has one sensitive diagnosis (labelled, shared unless withheld).
      expect(response.body.total).toBe(type === 'Condition' ? 2 : 1);
      const resource = response.body.entry[0].resource;
      expect(resource.meta.profile[0]).toMatch(/^http:\/\/hl7\.org\/fhir\/us\/core\/StructureDefinition\//);
      expect((await get(`${type}/${resource.id}`, tokens.member06)).status).toBe(200);
    });

    it('searches Observation by category and code, and Practitioner directory entries', async () => {
      expect((await get(`Observation?patient=${MEMBER_06}&category=laboratory`, tokens.member06)).body.total).toBe(1);
      expect((await get(`Observation?patient=${MEMBER_06}&category=vital-signs`, tokens.member06)).body.total).toBe(0);
      const practitioners = await get('Practitioner?name=dr', tokens.member06);
      expect(practitioners.status).toBe(200);
      expect(practitioners.body.total).toBeGreaterThan(0);
    });
  });

  describe('access tokens', () => {
    it('answers 401 with WWW-Authenticate: Bearer and an OperationOutcome without a token', async () => {
      const response = await get('ExplanationOfBenefit', null);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body.resourceType).toBe('OperationOutcome');
    });

    it.each([
      ['an expired token', () => issuer.token({ patient: MEMBER_03, expiresIn: -60 })],
      ['another audience', () => issuer.token({ patient: MEMBER_03, aud: 'https://other.example/fhir' })],
      ['another issuer', () => issuer.token({ patient: MEMBER_03, iss: 'https://evil.example' })],
      ['an ID token (typ JWT)', () => issuer.token({ patient: MEMBER_03, typ: 'JWT' })],
      ['an unknown client', () => issuer.token({ patient: MEMBER_03, client_id: 'never-registered' })],
      ['a tampered signature', async () => `${(await issuer.token({ patient: MEMBER_03 })).slice(0, -4)}AAAA`],
      ['a key only the discovery document names', () => issuer.decoyToken({ patient: MEMBER_03 })],
      ['an HS256 token', async () => new SignJWT({ client_id: SEED_CLIENT, scope: 'patient/*.read', patient: MEMBER_03 })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'test-key-1' }).setIssuer(issuer.issuer).setAudience(base).setSubject('member-1')
        .setIssuedAt().setJti('hs').setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(32)))],
    ])('refuses %s with 401 invalid_token', async (_label, make) => {
      const response = await get('ExplanationOfBenefit', await make());
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      expect(response.body.issue[0].code).toBe('login');
    });

    it('refuses a suspended client at once and accepts it again when reinstated', async () => {
      await setClientStatus('suspended-app', 'approved');
      const token = await issuer.token({ patient: MEMBER_03, client_id: 'suspended-app' });
      expect((await get('Patient', token)).status).toBe(200);
      await setClientStatus('suspended-app', 'suspended');
      const refused = await get('Patient', token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('client is not approved');
      await setClientStatus('suspended-app', 'approved');
      expect((await get('Patient', token)).status).toBe(200);
    });

    it('refuses, after a reinstatement, tokens issued before the client was last suspended', async () => {
      const now = Math.floor(Date.now() / 1000);
      const old = await issuer.token({ patient: MEMBER_03, client_id: 'not-before-app', grant_id: 'not-before-grant', issuedAt: now - 120 });
      await setClientStatus('not-before-app', 'approved');
      expect((await get('Patient', old)).status).toBe(200);
      const suspendedAt = new Date((now - 60) * 1000);
      await setClientStatus('not-before-app', 'suspended', { notBefore: suspendedAt });
      await setClientStatus('not-before-app', 'approved', { notBefore: suspendedAt });
      const refused = await get('Patient', old);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('issued before the client was last suspended');
      const fresh = await issuer.token({ patient: MEMBER_03, client_id: 'not-before-app', grant_id: 'not-before-grant-2' });
      expect((await get('Patient', fresh)).status).toBe(200);
    });

    it('refuses tokens of a revoked grant', async () => {
      const token = await issuer.token({ patient: MEMBER_03, grant_id: 'grant-to-revoke' });
      expect((await get('Patient', token)).status).toBe(200);
      await bus.publish(GRANT_REVOKED_TOPIC, [
        {
          key: 'grant-to-revoke',
          value: {
            type: 'authorization.grant.revoked',
            version: 1,
            eventId: randomUUID(),
            occurredAt: new Date().toISOString(),
            grantId: 'grant-to-revoke',
            clientId: SEED_CLIENT,
            reason: 'member_revoked',
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          },
        },
      ]);
      await until(() => app.get(GrantDenylist).isDenied('grant-to-revoke'));
      const refused = await get('Patient', token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('revoked');
    });
  });

  describe('metadata, UserInfo and errors', () => {
    it('serves the CapabilityStatement without a token, with SMART oauth-uris and every served type', async () => {
      const response = await get('metadata', null);
      expect(response.status).toBe(200);
      expect(response.body.resourceType).toBe('CapabilityStatement');
      const rest = response.body.rest[0];
      const oauth = rest.security.extension.find((extension: { url: string }) => extension.url.endsWith('/oauth-uris'));
      // The configured issuer and paths (seed 002's by default), as the SMART configuration names them.
      expect(oauth.extension).toEqual(
        expect.arrayContaining([
          { url: 'authorize', valueUri: `${issuer.issuer}/fhirmember/sps/oauth/oauth20/authorize` },
          { url: 'token', valueUri: `${issuer.issuer}/fhirmember/sps/oauth/oauth20/token` },
        ]),
      );
      const types = rest.resource.map((resource: { type: string }) => resource.type);
      expect(types).toEqual(expect.arrayContaining(['Patient', 'Coverage', 'ExplanationOfBenefit', 'Condition', 'Goal', 'Practitioner']));
      const eob = rest.resource.find((resource: { type: string }) => resource.type === 'ExplanationOfBenefit');
      expect(eob.searchParam.map((parameter: { name: string }) => parameter.name)).toEqual(
        expect.arrayContaining(['patient', 'type', 'identifier', 'service-date', 'service-start-date', 'billable-period-start', '_lastUpdated', '_id']),
      );
      expect(eob.searchInclude).toContain('ExplanationOfBenefit:*');
    });

    it.each(['/v1/connect/userinfo', `${BASE_PATH}/UserInfo`])('answers UserInfo at %s', async (path) => {
      const response = await get(path, tokens.member04);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ sub: 'member-4', patient: MEMBER_04, name: 'Jane X Doe', given_name: 'Jane', family_name: 'Doe', birthdate: '2014-06-01' });
      expect((await get(path, null)).status).toBe(401);
    });

    it('answers unknown routes and types with an OperationOutcome, never HTML', async () => {
      const unknownType = await get('Claim?patient=1');
      expect(unknownType.status).toBe(400);
      expect(unknownType.body.resourceType).toBe('OperationOutcome');
      const unknownRoute = await get(`${BASE_PATH}/Patient/x/y/z`);
      expect(unknownRoute.status).toBe(404);
      expect(unknownRoute.headers['content-type']).toContain('application/fhir+json');
      expect(unknownRoute.body.resourceType).toBe('OperationOutcome');
    });

    it('records every read and search in the access audit without copying data', async () => {
      const dataSource = app.get(DataSource);
      await app.get(AccessAuditService).flush();
      await dataSource.query('DELETE FROM access_audit');
      const representativeToken = await issuer.token({ patient: MEMBER_04, representative: { relationship: 'parent', name: 'John Doe' } });
      await get(`Patient/${MEMBER_04}`, representativeToken);
      await get('ExplanationOfBenefit?type=pde', tokens.member03);
      await get(`Patient/${MEMBER_04}`, tokens.member03);
      await app.get(AccessAuditService).flush();
      const rows = await dataSource.query('SELECT client_id, patient_id, representative, interaction, resource_type, resource_id, query, status, result_count FROM access_audit ORDER BY id');
      expect(rows).toEqual([
        { client_id: SEED_CLIENT, patient_id: MEMBER_04, representative: true, interaction: 'read', resource_type: 'Patient', resource_id: MEMBER_04, query: null, status: 200, result_count: 1 },
        { client_id: SEED_CLIENT, patient_id: MEMBER_03, representative: false, interaction: 'search', resource_type: 'ExplanationOfBenefit', resource_id: null, query: 'type=pde', status: 200, result_count: 10 },
        { client_id: SEED_CLIENT, patient_id: MEMBER_03, representative: false, interaction: 'read', resource_type: 'Patient', resource_id: MEMBER_04, query: null, status: 404, result_count: null },
      ]);
    });
  });

  describe('store and loader', () => {
    it('holds the sandbox data with the exact counts of seed 002', async () => {
      const dataSource = app.get(DataSource);
      const rows = await dataSource.query(
        `SELECT content->'type'->'coding'->0->>'code' AS type, count(*)::int AS n FROM resource
         WHERE resource_type = 'ExplanationOfBenefit' AND patient_id = $1 GROUP BY 1 ORDER BY 1`,
        [MEMBER_03],
      );
      expect(rows).toEqual([
        { type: 'carrier', n: 44 },
        { type: 'inpatient', n: 1 },
        { type: 'pde', n: 103 },
      ]);
    });

    it('reports invalid NDJSON lines instead of stopping', async () => {
      const loader = app.get(NdjsonLoader);
      const report = await loader.load([
        '{"resourceType":"Organization","id":"org-from-ndjson","name":"Loaded"}',
        'not json',
        '{"resourceType":"Claim","id":"x"}',
        '{"resourceType":"Patient","id":"bad id!"}',
        '{"resourceType":"Organization","id":"org-2","meta":{"lastUpdated":"yesterday"}}',
        '{"resourceType":"Observation","id":"orphan","status":"final","code":{"text":"x"}}',
      ]);
      expect(report).toMatchObject({ read: 6, loaded: 1, rejected: 5 });
      expect(report.rejections.map((rejection) => rejection.line)).toEqual([2, 3, 4, 5, 6]);
      expect(report.rejections[4].reason).toBe('Observation/orphan refers to no Patient (patient, subject or beneficiary)');
      expect((await get('Organization/org-from-ndjson')).status).toBe(200);
    });

    it('a replaced resource gets a new version and keeps its index current', async () => {
      const repository = app.get(ResourceRepository);
      const before = await repository.unrestricted().read('Organization', 'org-from-ndjson');
      await repository.write([{ resourceType: 'Organization', id: 'org-from-ndjson', name: 'Renamed Clinic' }]);
      const after = await get('Organization/org-from-ndjson');
      expect(after.headers.etag).toBe(`W/"${(before?.version ?? 0) + 1}"`);
      expect(after.body.meta.versionId).toBe(String((before?.version ?? 0) + 1));
      expect((await get('Organization?name=renamed')).body.total).toBe(1);
      expect((await get('Organization?name=loaded')).body.total).toBe(0);
    });

    it('the JSON schema check used above rejects an invalid resource', () => {
      expect(fhirSchemaErrors({ resourceType: 'Patient', gender: 42 })).not.toEqual([]);
      expect(base).toBe('http://localhost:3003/fhir/sb/R4/patientaccess');
    });
  });
});
