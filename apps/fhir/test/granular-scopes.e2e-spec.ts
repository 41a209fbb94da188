import type { INestApplication } from '@nestjs/common';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import { ResourceRepository } from '../src/store/resource.repository';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

const CLIENT = 'JVjR77J3j4BaRVqoDtLx';
const PATIENT = 'granular-member';
const OTHER = 'granular-other';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const CLAIM_TYPE = 'http://terminology.hl7.org/CodeSystem/claim-type';
const BLUE_BUTTON = 'https://bluebutton.cms.gov/resources/codesystem/eob-type';
const LAB = `patient/Observation.rs?category=${OBSERVATION_CATEGORY}|laboratory`;
const VITALS = `patient/Observation.rs?category=${OBSERVATION_CATEGORY}|vital-signs`;

function observation(id: string, patient: string, code: string, system = OBSERVATION_CATEGORY): Resource {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system, code }] }],
    code: { text: 'test' },
    subject: { reference: `Patient/${patient}` },
  } as Resource;
}

/** 7 laboratory, 3 vital-signs and 2 social-history Observations for the member; one laboratory one for another patient. */
function dataSet(): Resource[] {
  const patients = [PATIENT, OTHER].map((id) => ({ resourceType: 'Patient', id, name: [{ family: 'Granular' }] }) as Resource);
  const observations = [
    ...Array.from({ length: 7 }, (_, index) => observation(`lab-${index}`, PATIENT, 'laboratory')),
    ...Array.from({ length: 3 }, (_, index) => observation(`vital-${index}`, PATIENT, 'vital-signs')),
    ...Array.from({ length: 2 }, (_, index) => observation(`social-${index}`, PATIENT, 'social-history')),
    // Same code, another system: a laboratory scope names the system, so this one is not laboratory.
    observation('lab-elsewhere', PATIENT, 'laboratory', 'http://example.org/categories'),
    observation('lab-other-patient', OTHER, 'laboratory'),
  ];
  const conditions = ['problem-list-item', 'encounter-diagnosis'].map(
    (code) =>
      ({
        resourceType: 'Condition',
        id: `condition-${code}`,
        category: [{ coding: [{ system: CONDITION_CATEGORY, code }] }],
        code: { text: code },
        subject: { reference: `Patient/${PATIENT}` },
      }) as Resource,
  );
  const claims = ['pharmacy', 'professional'].map(
    (code) =>
      ({
        resourceType: 'ExplanationOfBenefit',
        id: `eob-${code}`,
        status: 'active',
        type: { coding: [{ system: CLAIM_TYPE, code }] },
        use: 'claim',
        patient: { reference: `Patient/${PATIENT}` },
        created: '2024-01-01',
        outcome: 'complete',
      }) as Resource,
  );
  // The plan's own claims are typed with Blue Button EOB types, under its own alias of that system too.
  const blueButton = [
    ['carrier', BLUE_BUTTON],
    ['pde', `http://localhost:3003/resources/codesystem/eob-type`],
  ].map(
    ([code, system]) =>
      ({
        resourceType: 'ExplanationOfBenefit',
        id: `eob-${code}`,
        status: 'active',
        type: { coding: [{ system, code }] },
        use: 'claim',
        patient: { reference: `Patient/${PATIENT}` },
        created: '2024-01-01',
        outcome: 'complete',
      }) as Resource,
  );
  return [...patients, ...observations, ...conditions, ...claims, ...blueButton];
}

/**
 * Granular SMART v2 scopes at the FHIR API: the constraint is applied by the store in every query,
 * so searches, totals, paging links and reads agree, and what the scope excludes does not exist.
 */
describe('granular scopes', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    app = fhir.app;
    await app.get(ResourceRepository).write(dataSet());
    await fhir.setClientStatus(CLIENT, 'approved');
  });

  afterAll(async () => {
    await fhir?.close();
  });

  const tokenFor = (scope: string) => fhir.issuer.token({ patient: PATIENT, fhirUser: `Patient/${PATIENT}`, scope: `openid ${scope}` });

  async function get(path: string, scope: string, expected = 200): Promise<request.Response> {
    return request(app.getHttpServer())
      .get(`${BASE_PATH}/${path}`)
      .set('Authorization', `Bearer ${await tokenFor(scope)}`)
      .expect(expected);
  }

  function ids(bundle: Bundle): string[] {
    return (bundle.entry ?? []).map((entry) => entry.resource?.id ?? '').sort();
  }

  it('searches only the laboratory Observations of the member, with a total that agrees', async () => {
    const bundle = (await get('Observation', LAB)).body as Bundle;
    expect(ids(bundle)).toEqual(Array.from({ length: 7 }, (_, index) => `lab-${index}`));
    expect(bundle.total).toBe(7);
  });

  it('pages through the filtered matches, links and totals agreeing', async () => {
    const seen: string[] = [];
    let path: string | undefined = 'Observation?_count=3';
    let pages = 0;
    while (path !== undefined) {
      const bundle = (await get(path, LAB)).body as Bundle;
      expect(bundle.total).toBe(7);
      seen.push(...(bundle.entry ?? []).map((entry) => entry.resource?.id ?? ''));
      const next = bundle.link?.find((link) => link.relation === 'next')?.url;
      path = next === undefined ? undefined : next.slice(next.indexOf(BASE_PATH) + BASE_PATH.length + 1);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, index) => `lab-${index}`));
  });

  it('combines the constraint with the search the app sends', async () => {
    const lab = (await get(`Observation?category=${OBSERVATION_CATEGORY}|laboratory&_id=lab-1,vital-1`, LAB)).body as Bundle;
    expect(ids(lab)).toEqual(['lab-1']);
    const vitals = (await get(`Observation?category=vital-signs`, LAB)).body as Bundle;
    expect(vitals.total).toBe(0);
    expect(vitals.entry ?? []).toEqual([]);
    const counted = (await get('Observation?_summary=count', LAB)).body as Bundle;
    expect(counted.total).toBe(7);
  });

  it('reads a matching resource and answers 404 for one the scope excludes', async () => {
    expect((await get('Observation/lab-0', LAB)).body).toMatchObject({ id: 'lab-0' });
    for (const id of ['vital-0', 'social-0', 'lab-elsewhere', 'lab-other-patient', 'missing']) {
      const outcome = (await get(`Observation/${id}`, LAB, 404)).body;
      expect(outcome.resourceType).toBe('OperationOutcome');
    }
  });

  it('unites several granular scopes for one type', async () => {
    const bundle = (await get('Observation?_count=100', `${LAB} ${VITALS}`)).body as Bundle;
    expect(bundle.total).toBe(10);
    expect(ids(bundle).every((id) => id.startsWith('lab-') || id.startsWith('vital-'))).toBe(true);
    expect(ids(bundle)).not.toContain('lab-elsewhere');
  });

  it('gives broad access when a broad scope for the type is held too', async () => {
    for (const scope of [`${LAB} patient/Observation.rs`, `${LAB} patient/*.read`]) {
      const bundle = (await get('Observation?_count=100', scope)).body as Bundle;
      expect(bundle.total).toBe(13);
      await get('Observation/social-0', scope);
    }
  });

  it('needs the permission of the interaction, and leaves other types out', async () => {
    const readOnly = `patient/Observation.r?category=${OBSERVATION_CATEGORY}|laboratory`;
    await get('Observation/lab-0', readOnly);
    await get('Observation', readOnly, 403);
    await get('Condition', LAB, 403);
    await get(`Patient/${PATIENT}`, LAB, 403);
  });

  it('filters Conditions by category and ExplanationOfBenefits by claim type', async () => {
    const problems = (await get('Condition', `patient/Condition.rs?category=${CONDITION_CATEGORY}|problem-list-item`)).body as Bundle;
    expect(ids(problems)).toEqual(['condition-problem-list-item']);
    const pharmacy = (await get('ExplanationOfBenefit', `patient/ExplanationOfBenefit.rs?type=${CLAIM_TYPE}|pharmacy`)).body as Bundle;
    expect(ids(pharmacy)).toEqual(['eob-pharmacy']);
    await get('ExplanationOfBenefit/eob-professional', `patient/ExplanationOfBenefit.rs?type=${CLAIM_TYPE}|pharmacy`, 404);
  });

  it('treats the code systems a type search treats as one alike (the plan spells EOB types more than one way)', async () => {
    const scope = `patient/ExplanationOfBenefit.rs?type=${BLUE_BUTTON}|carrier patient/ExplanationOfBenefit.rs?type=${BLUE_BUTTON}|pde`;
    const bundle = (await get('ExplanationOfBenefit', scope)).body as Bundle;
    expect(ids(bundle)).toEqual(['eob-carrier', 'eob-pde']);
    await get('ExplanationOfBenefit/eob-pde', scope);
    await get('ExplanationOfBenefit/eob-pharmacy', scope, 404);
  });

  it('grants nothing for a constraint it cannot enforce, rather than everything', async () => {
    const bundle = (await get('Observation', 'patient/Observation.rs?code=http://loinc.org|1234-5')).body as Bundle;
    expect(bundle.total).toBe(0);
    await get('Observation/lab-0', 'patient/Observation.rs?status=final', 404);
  });

  it('refuses an include of a type the token reaches only in part', async () => {
    const included = (await get('Observation?_include=Observation:patient', `${LAB} patient/Patient.rs`)).body as Bundle;
    expect(included.total).toBe(7);
    expect(ids(included)).toContain(PATIENT);
    // Included resources are not filtered by granular scopes, so a partly readable type cannot be included.
    await get('Patient?_revinclude=Observation:patient', `${LAB} patient/Patient.rs`, 403);
  });
});
