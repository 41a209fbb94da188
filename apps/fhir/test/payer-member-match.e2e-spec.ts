import type { INestApplication } from '@nestjs/common';
import type { Bundle, Consent, Coverage, ExplanationOfBenefit, Observation, Parameters, Patient, Resource } from '@medplum/fhirtypes';
import { fhirSchemaErrors, sandboxDataSet } from '@payer-access/synthetic-data';
import type { RequestListener } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { PAYER_IDENTIFIER_SYSTEM } from '../src/payer/member-match/consent.rules';
import { ResourceRepository } from '../src/store/resource.repository';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

const PAYER = 'SbxDemoPayer00000001';
const OTHER_PAYER = 'OtherPayer0000000002';
const APPLICATION = 'JVjR77J3j4BaRVqoDtLx';
const REGULAR = 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular';
const SENSITIVE = 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#sensitive';
const DAY = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

const patient = (id: string, family: string, given: string, birthDate: string): Patient => ({ resourceType: 'Patient', id, name: [{ family, given: [given] }], birthDate, gender: 'female' });
const coverage = (id: string, patientId: string, subscriberId: string): Coverage => ({
  resourceType: 'Coverage',
  id,
  status: 'active',
  subscriberId,
  beneficiary: { reference: `Patient/${patientId}` },
  payor: [{ display: 'payer-access plan' }],
});
const eob = (id: string, patientId: string, end: string): ExplanationOfBenefit =>
  ({
    resourceType: 'ExplanationOfBenefit',
    id,
    status: 'active',
    type: { coding: [{ system: 'https://bluebutton.cms.gov/resources/codesystem/eob-type', code: 'CARRIER' }] },
    use: 'claim',
    patient: { reference: `Patient/${patientId}` },
    billablePeriod: { start: end, end },
    created: end,
    insurer: { display: 'payer-access plan' },
    provider: { display: 'A clinic' },
    outcome: 'complete',
  }) as ExplanationOfBenefit;

/** Members of this test: Ana (to be matched), Bob (never linked), and two indistinguishable twins. */
const MEMBERS: Resource[] = [
  patient('pm-ana', 'Müller', 'Ana', '1975-03-04'),
  coverage('pm-ana-cov', 'pm-ana', 'OLD-ANA-1'),
  eob('pm-ana-recent', 'pm-ana', day(-200)),
  eob('pm-ana-old', 'pm-ana', day(-6 * 366)),
  {
    resourceType: 'Observation',
    id: 'pm-ana-hiv',
    status: 'final',
    meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HIV' }] },
    code: { text: 'HIV test' },
    subject: { reference: 'Patient/pm-ana' },
    effectiveDateTime: day(-30),
  } as Observation,
  {
    // Labelled with 42 CFR Part 2 alone: a label the payer's policy once did not know.
    resourceType: 'Observation',
    id: 'pm-ana-part2',
    status: 'final',
    meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: '42CFRPart2' }] },
    code: { text: 'Substance use counselling note' },
    subject: { reference: 'Patient/pm-ana' },
    effectiveDateTime: day(-20),
  } as Observation,
  patient('pm-bob', 'Stone', 'Bob', '1975-03-04'),
  coverage('pm-bob-cov', 'pm-bob', 'OLD-BOB-1'),
  eob('pm-bob-recent', 'pm-bob', day(-100)),
  patient('pm-twin-1', 'Lee', 'Sam', '1990-01-01'),
  coverage('pm-twin-1-cov', 'pm-twin-1', 'TWIN-1'),
  patient('pm-twin-2', 'Lee', 'Sam', '1990-01-01'),
  coverage('pm-twin-2-cov', 'pm-twin-2', 'TWIN-1'),
];

function consent(overrides: Partial<Consent> = {}, payer = PAYER): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IDSCL' }] }],
    performer: [{ identifier: { system: PAYER_IDENTIFIER_SYSTEM, value: payer } }],
    policy: [{ uri: REGULAR }],
    provision: { type: 'permit', period: { start: day(-30), end: day(365) } },
    ...overrides,
  };
}

function matchBody(options: { family?: string; given?: string; birthDate?: string; subscriberId?: string; consent?: Consent } = {}): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family: options.family ?? 'MULLER', given: [options.given ?? 'ana'] }], birthDate: options.birthDate ?? '1975-03-04' } },
      { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', status: 'active', subscriberId: options.subscriberId ?? 'old-ana-1', beneficiary: { reference: 'Patient/1' }, payor: [{ display: 'Old plan' }] } },
      { name: 'Consent', resource: options.consent ?? consent() },
    ],
  };
}

describe('Payer-to-Payer: $member-match and linked members', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  let dataSource: DataSource;
  const tokens: Record<string, string> = {};
  // The Express handler, not the shared server: supertest then gives each request a server of its
  // own, where parallel requests would otherwise race to make the one server listen.
  const http = () => app.getHttpAdapter().getInstance() as RequestListener;

  const post = (body: unknown, token = tokens.payer, type = 'application/fhir+json') =>
    request(http())
      .post(`${BASE_PATH}/Patient/$member-match`)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', type)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  // The test's own fixtures are minimal, not full FHIR resources: only the operation's own output is schema-checked.
  const get = (path: string, token = tokens.payer) => request(http()).get(`${BASE_PATH}/${path}`).set('Authorization', `Bearer ${token}`);
  const ids = (bundle: Bundle) => (bundle.entry ?? []).map((entry) => `${entry.resource?.resourceType}/${entry.resource?.id}`).sort();
  const links = async (clientId = PAYER) => (await dataSource.query('SELECT patient_id, consent_policy, matched_by FROM payer_link WHERE client_id = $1', [clientId])) as { patient_id: string; consent_policy: string; matched_by: string }[];

  /** Refusals are audited after the answer has left: wait for the row. */
  async function eventuallyAudited(query: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (((await dataSource.query(query)) as unknown[]).length === 0) {
      if (Date.now() > deadline) throw new Error(`no audit row for ${query}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    app = fhir.app;
    dataSource = app.get(DataSource);
    expect((await app.get(NdjsonLoader).load(sandboxDataSet())).rejected).toBe(0);
    await app.get(ResourceRepository).write(MEMBERS);
    await fhir.setClientStatus(PAYER, 'approved', 'payer');
    await fhir.setClientStatus(OTHER_PAYER, 'approved', 'payer');
    await fhir.setClientStatus(APPLICATION, 'approved');
    tokens.payer = await fhir.issuer.token({ client_id: PAYER, sub: PAYER, scope: 'system/*.rs' });
    tokens.otherPayer = await fhir.issuer.token({ client_id: OTHER_PAYER, sub: OTHER_PAYER, scope: 'system/*.rs' });
    tokens.member = await fhir.issuer.token({ client_id: APPLICATION, patient: 'pm-ana', scope: 'patient/*.rs' });
    tokens.applicationSystem = await fhir.issuer.token({ client_id: APPLICATION, sub: APPLICATION, scope: 'system/*.rs' });
    tokens.payerMixed = await fhir.issuer.token({ client_id: PAYER, sub: PAYER, scope: 'system/*.rs patient/*.rs' });
  });

  afterAll(() => fhir?.close());

  it('the CapabilityStatement names $member-match and $everything by their canonicals, and the PDex server statement', async () => {
    const response = await request(http()).get(`${BASE_PATH}/metadata`);
    expect(response.status).toBe(200);
    expect(response.body.instantiates).toContain('http://hl7.org/fhir/us/davinci-pdex/CapabilityStatement/pdex-server');
    const patientResource = response.body.rest[0].resource.find((entry: { type: string }) => entry.type === 'Patient');
    expect(patientResource.operation).toEqual([
      { name: 'member-match', definition: 'http://hl7.org/fhir/us/davinci-hrex/OperationDefinition/member-match' },
      { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
    ]);
    const openApi = await request(http()).get('/docs-json');
    const paths = Object.keys(openApi.body.paths ?? {});
    expect(paths.some((path) => path.endsWith('/Patient/{operation}'))).toBe(true);
  });

  it('a payer without links sees no member: empty searches and 404 reads', async () => {
    const search = await get('Patient');
    expect(search.status).toBe(200);
    expect(search.body.total).toBe(0);
    expect((await get('Patient/pm-ana')).status).toBe(404);
    expect((await get('ExplanationOfBenefit/pm-ana-recent')).status).toBe(404);
    expect((await get('Patient/pm-ana/$everything')).status).toBe(404);
  });

  it('refuses tokens that are not a payer backend token', async () => {
    expect((await get('Patient', tokens.applicationSystem)).status).toBe(401);
    expect((await get('Patient', tokens.payerMixed)).status).toBe(401);
    const member = await post(matchBody(), tokens.member);
    expect(member.status).toBe(403);
    expect(member.body.resourceType).toBe('OperationOutcome');
    const anonymous = await request(http()).post(`${BASE_PATH}/Patient/$member-match`).send(matchBody());
    expect(anonymous.status).toBe(401);
    await eventuallyAudited("SELECT 1 FROM access_audit WHERE interaction = 'member-match' AND status = 401 AND client_id IS NULL");
  });

  it.each([
    ['no member matches (a typo in the family name)', { family: 'Muler' }],
    ['no member matches (another birth date)', { birthDate: '1975-03-05' }],
    ['no member matches (another member id)', { subscriberId: 'OLD-ANA-2' }],
    ['no member matches (given and family swapped)', { family: 'Ana', given: 'Muller' }],
    ['two members match', { family: 'Lee', given: 'Sam', birthDate: '1990-01-01', subscriberId: 'TWIN-1' }],
    ['the consent names another payer', { consent: consent({}, OTHER_PAYER) }],
    ['the consent has expired', { consent: consent({ provision: { period: { start: day(-400), end: day(-1) } } }) }],
    ['the consent has not started', { consent: consent({ provision: { period: { start: day(2), end: day(400) } } }) }],
    ['the consent policy is not supported', { consent: consent({ policy: [{ uri: 'http://example.org/all-of-it' }] }) }],
  ])('answers 422 with no identifier when %s', async (_case, options) => {
    const response = await post(matchBody(options));
    expect(response.status).toBe(422);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(response.body)).not.toContain('MemberIdentifier');
    expect(await links()).toEqual([]);
  });

  it.each([
    ['not JSON', '{"resourceType":', 'application/fhir+json', 400],
    ['a JSON array', '[]', 'application/json', 400],
    ['not a Parameters resource', JSON.stringify({ resourceType: 'Patient' }), 'application/fhir+json', 400],
    ['a Parameters without Consent', JSON.stringify({ resourceType: 'Parameters', parameter: matchBody().parameter?.slice(0, 2) }), 'application/fhir+json', 400],
    ['a part twice', JSON.stringify({ resourceType: 'Parameters', parameter: [...(matchBody().parameter ?? []), matchBody().parameter?.[0]] }), 'application/fhir+json', 400],
    ['a Coverage where the Patient goes', JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'MemberPatient', resource: { resourceType: 'Coverage' } }] }), 'application/fhir+json', 400],
    ['a numeric birthDate', JSON.stringify(matchBody({ birthDate: 19750304 as unknown as string })), 'application/fhir+json', 400],
    ['a string for name', JSON.stringify({ ...matchBody(), parameter: [{ name: 'MemberPatient', resource: { resourceType: 'Patient', name: 'Ana' } }, ...(matchBody().parameter ?? []).slice(1)] }), 'application/fhir+json', 400],
    ['an object for the consent period', JSON.stringify(matchBody({ consent: consent({ provision: { period: { start: 5 } } } as unknown as Partial<Consent>) })), 'application/fhir+json', 400],
    ['a NUL character', JSON.stringify(matchBody({ family: 'Mül\u0000ler' })), 'application/fhir+json', 400],
    ['a consent starting in year 0000', JSON.stringify(matchBody({ consent: consent({ provision: { period: { start: '0000-01-01', end: day(365) } } }) })), 'application/fhir+json', 400],
    ['a consent starting on 29 February of a common year', JSON.stringify(matchBody({ consent: consent({ provision: { period: { start: '2023-02-29', end: day(365) } } }) })), 'application/fhir+json', 400],
    ['a consent ending in month 13', JSON.stringify(matchBody({ consent: consent({ provision: { period: { start: day(-30), end: '2030-13-01' } } }) })), 'application/fhir+json', 400],
    ['a consent ending at 24:00', JSON.stringify(matchBody({ consent: consent({ provision: { period: { start: day(-30), end: '2030-01-01T24:00:00Z' } } }) })), 'application/fhir+json', 400],
    ['a body nested too deep', `${'{"a":'.repeat(60)}1${'}'.repeat(60)}`, 'application/json', 400],
    ['a body larger than the limit', JSON.stringify({ resourceType: 'Parameters', parameter: [], padding: 'x'.repeat(200 * 1024) }), 'application/fhir+json', 413],
    ['a text body', 'MemberPatient=Ana', 'text/plain', 400],
  ])('answers %s with a 4xx OperationOutcome', async (_case, body, type, status) => {
    const response = await post(body, tokens.payer, type);
    expect(response.status).toBe(status);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });

  it('says which bound of the consent period is not a FHIR date, and why', async () => {
    const response = await post(matchBody({ consent: consent({ provision: { period: { start: '0000-01-01', end: day(365) } } }) }));
    expect(response.status).toBe(400);
    expect(response.body.issue[0]).toMatchObject({
      code: 'invalid',
      diagnostics: 'Consent.provision.period.start is not a FHIR dateTime: year 0000 does not exist',
      expression: ['Consent.provision.period.start'],
    });
    expect(await links()).toEqual([]);
  });

  it('matches the member, answers the MB identifier and links her once however many times it is asked, in parallel', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(matchBody())));
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(fhirSchemaErrors(response.body)).toEqual([]);
      const identifier = response.body.parameter.find((part: { name: string }) => part.name === 'MemberIdentifier').valueIdentifier;
      expect(identifier.type.coding[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' });
      expect(identifier.value).toBe('pm-ana');
    }
    expect(await links()).toEqual([{ patient_id: 'pm-ana', consent_policy: 'all', matched_by: 'coverage-member-id' }]);
    const audit = (await dataSource.query(
      `SELECT status, resource_id, reason FROM access_audit WHERE client_id = $1 AND interaction = 'member-match' ORDER BY id`,
      [PAYER],
    )) as { status: number; resource_id: string | null; reason: string }[];
    expect(audit.filter((row) => row.status === 422).length).toBeGreaterThanOrEqual(9);
    expect(audit.filter((row) => row.status === 200)).toHaveLength(5);
    expect(audit.find((row) => row.status === 200)?.reason).toContain('coverage-member-id');
  });

  it("the linked member's data is readable with the payer's token, within five years; no other member's is", async () => {
    expect((await get('Patient/pm-ana')).status).toBe(200);
    expect((await get('Patient/pm-bob')).status).toBe(404);
    expect((await get('Patient/-20140000008325')).status).toBe(404);
    expect(ids((await get('Patient')).body)).toEqual(['Patient/pm-ana']);
    const eobs = await get('ExplanationOfBenefit?_count=50');
    expect(ids(eobs.body)).toEqual(['ExplanationOfBenefit/pm-ana-recent']);
    expect((await get('ExplanationOfBenefit/pm-ana-old')).status).toBe(404);
    expect((await get('ExplanationOfBenefit/pm-bob-recent')).status).toBe(404);
    expect((await get('ExplanationOfBenefit?patient=pm-bob')).body.total).toBe(0);
    // The member's own app still sees her whole record, old claims included.
    expect((await get('ExplanationOfBenefit/pm-ana-old', tokens.member)).status).toBe(200);
    // Another payer reaches nothing through this payer's link.
    expect((await get('Patient/pm-ana', tokens.otherPayer)).status).toBe(404);
  });

  it('$everything pages through the linked member only', async () => {
    const first = await get('Patient/pm-ana/$everything?_count=3');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(5);
    expect(first.body.entry).toHaveLength(3);
    const next = first.body.link.find((link: { relation: string }) => link.relation === 'next').url as string;
    const second = await get(next.slice(next.indexOf(BASE_PATH) + BASE_PATH.length + 1));
    const all = [...ids(first.body), ...ids(second.body)].sort();
    expect(all).toEqual(['Coverage/pm-ana-cov', 'ExplanationOfBenefit/pm-ana-recent', 'Observation/pm-ana-hiv', 'Observation/pm-ana-part2', 'Patient/pm-ana']);
    expect((await get('Patient/pm-bob/$everything')).status).toBe(404);
    expect((await get('Patient/pm-ana/$everything?_count=abc')).status).toBe(400);
    expect((await get('Patient/pm-ana/$nothing')).status).toBe(400);
  });

  it('a consent to non-sensitive data only keeps labelled resources from the payer', async () => {
    const response = await post(matchBody({ consent: consent({ policy: [{ uri: SENSITIVE }] }, OTHER_PAYER) }), tokens.otherPayer);
    expect(response.status).toBe(200);
    expect(await links(OTHER_PAYER)).toEqual([{ patient_id: 'pm-ana', consent_policy: 'non-sensitive', matched_by: 'coverage-member-id' }]);
    for (const id of ['pm-ana-hiv', 'pm-ana-part2']) {
      expect((await get(`Observation/${id}`, tokens.otherPayer)).status).toBe(404);
      expect((await get(`Observation/${id}`)).status).toBe(200);
    }
    expect(ids((await get('Patient/pm-ana/$everything', tokens.otherPayer)).body).filter((id) => id.startsWith('Observation/'))).toEqual([]);
    expect(ids((await get('Observation?patient=pm-ana', tokens.otherPayer)).body)).toEqual([]);
    expect(ids((await get('Observation?patient=pm-ana')).body)).toEqual(['Observation/pm-ana-hiv', 'Observation/pm-ana-part2']);
  });

  it("a revoked link, an ended consent or the payer's suspension ends access at once", async () => {
    await dataSource.query(`UPDATE payer_link SET period_end = now() - interval '1 second', period_start = now() - interval '1 day' WHERE client_id = $1`, [OTHER_PAYER]);
    expect((await get('Patient/pm-ana', tokens.otherPayer)).status).toBe(404);
    await fhir.setClientStatus(PAYER, 'suspended', 'payer');
    expect((await get('Patient/pm-ana')).status).toBe(401);
    await fhir.setClientStatus(PAYER, 'approved', 'payer');
    await dataSource.query(`UPDATE payer_link SET revoked_at = now() WHERE client_id = $1`, [PAYER]);
    expect((await get('Patient/pm-ana')).status).toBe(404);
  });

  it('matches the sandbox member of the README walkthrough (Jane Doe by her old coverage)', async () => {
    const response = await post(matchBody({ family: 'Doe', given: 'Jane', birthDate: '2014-06-01', subscriberId: '20140000008325' }));
    expect(response.status).toBe(200);
    expect(response.body.parameter[0].valueIdentifier.value).toBe('-20140000008325');
    expect((await get('Patient/-20140000008325')).status).toBe(200);
  });
});
