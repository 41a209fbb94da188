import type { INestApplication } from '@nestjs/common';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import request from 'supertest';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

const SEED_CLIENT = 'JVjR77J3j4BaRVqoDtLx';
const MEMBER = SANDBOX_MEMBERS[1].patientId;
const ICD10_CM = 'http://hl7.org/fhir/sid/icd-10-cm';

/** Conditions of the member: labelled by the loader from their codes, or not. */
const condition = (id: string, code: string): Resource =>
  ({
    resourceType: 'Condition',
    id,
    subject: { reference: `Patient/${MEMBER}` },
    code: { coding: [{ system: ICD10_CM, code }] },
  }) as Resource;
/**
 * A record the plan's data labelled itself, with a label only a payer's non-sensitive consent used
 * to know (domestic violence): one sensitivity rule serves both.
 */
const LABELLED_BY_THE_DATA: Resource = {
  ...condition('dv-1', 'T74.11'),
  meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'DV' }] },
} as Resource;
// The loader's own fixtures, the one labelled by the data and the sandbox member's deterministic sensitive diagnosis.
const SENSITIVE = ['sud-1', 'hiv-1', 'psy-1', 'dv-1', `cond-${MEMBER.replace(/^-/, 'm')}-sensitive`];
const PLAIN = ['plain-1', 'plain-2', 'plain-3'];

describe('member consent: withheld sensitive data and demographics (fhir store)', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  const tokens: Record<'all' | 'noSensitive' | 'noDemographics', string> = { all: '', noSensitive: '', noDemographics: '' };

  const get = (path: string, token: string) => request(app.getHttpServer()).get(`${BASE_PATH}/${path}`).set('Authorization', `Bearer ${token}`);
  const ids = (bundle: Bundle, mode = 'match') => (bundle.entry ?? []).filter((entry) => entry.search?.mode === mode).map((entry) => entry.resource?.id);

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    app = fhir.app;
    const extra = [condition('sud-1', 'F11.20'), condition('hiv-1', 'B20'), condition('psy-1', 'F33.1'), LABELLED_BY_THE_DATA, ...PLAIN.map((id) => condition(id, 'I10'))];
    const report = await app.get(NdjsonLoader).load([...sandboxDataSet(), ...extra]);
    expect(report.rejected).toBe(0);
    await fhir.setClientStatus(SEED_CLIENT, 'approved');
    tokens.all = await fhir.issuer.token({ patient: MEMBER, sub: 'member', grant_id: 'grant-all' });
    tokens.noSensitive = await fhir.issuer.token({ patient: MEMBER, sub: 'member', grant_id: 'grant-2', withhold_sensitive: true });
    tokens.noDemographics = await fhir.issuer.token({ patient: MEMBER, sub: 'member', grant_id: 'grant-3', withhold_demographics: true });
  });

  afterAll(() => fhir?.close());

  describe('sensitive data', () => {
    it('is labelled by the loader and served to the grant that shares it', async () => {
      const read = await get('Condition/sud-1', tokens.all);
      expect(read.status).toBe(200);
      expect(read.body.meta.security).toEqual(
        expect.arrayContaining([
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ETH' },
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: '42CFRPart2' },
          { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' },
        ]),
      );
      const search = await get(`Condition?patient=${MEMBER}&_count=1000`, tokens.all);
      expect(ids(search.body)).toEqual(expect.arrayContaining([...SENSITIVE, ...PLAIN]));
    });

    it('is absent from reads, searches, totals, pages and includes of the grant that withholds it', async () => {
      for (const id of SENSITIVE) {
        const hidden = await get(`Condition/${id}`, tokens.noSensitive);
        const missing = await get('Condition/no-such-condition', tokens.noSensitive);
        expect(hidden.status).toBe(404);
        expect(hidden.body.issue[0].code).toBe(missing.body.issue[0].code);
      }
      const everything = await get(`Condition?patient=${MEMBER}&_count=1000`, tokens.all);
      const sharedConditions = await get(`Condition?patient=${MEMBER}&_count=1000`, tokens.noSensitive);
      const sharedIds = ids(sharedConditions.body);
      expect(sharedIds).toEqual(expect.arrayContaining(PLAIN));
      expect(sharedIds.filter((id) => SENSITIVE.includes(id ?? ''))).toEqual([]);
      // Every labelled resource of the member is gone, the sandbox's own claims and conditions too.
      const labelled = (everything.body as Bundle).entry?.filter((entry) => (entry.resource?.meta?.security ?? []).length > 0).length ?? 0;
      expect(sharedConditions.body.total).toBe(everything.body.total - labelled);

      const count = await get(`Condition?patient=${MEMBER}&_summary=count`, tokens.noSensitive);
      expect(count.body.total).toBe(sharedConditions.body.total);
      const codeSearch = await get(`Condition?code=${ICD10_CM}|F11.20`, tokens.noSensitive);
      expect(codeSearch.body.total).toBe(0);

      // Paging one by one never reaches a labelled resource and ends where the total says.
      const paged: string[] = [];
      let next: string | undefined = `Condition?patient=${MEMBER}&_count=1`;
      while (next) {
        const page = await get(next, tokens.noSensitive);
        paged.push(...(ids(page.body) as string[]));
        const url = (page.body as Bundle).link?.find((link) => link.relation === 'next')?.url;
        next = url ? url.slice(url.indexOf(BASE_PATH) + BASE_PATH.length + 1) : undefined;
      }
      expect(paged.sort()).toEqual([...(sharedIds as string[])].sort());

      const revinclude = await get(`Patient?_id=${MEMBER}&_revinclude=Condition:patient`, tokens.noSensitive);
      const included = ids(revinclude.body, 'include');
      expect(included).toEqual(expect.arrayContaining(PLAIN));
      expect(included.filter((id) => SENSITIVE.includes(id ?? ''))).toEqual([]);
      const revincludeAll = await get(`Patient?_id=${MEMBER}&_revinclude=Condition:patient`, tokens.all);
      expect(ids(revincludeAll.body, 'include')).toEqual(expect.arrayContaining(SENSITIVE));

      // Nor through the compartment operation, on any page.
      const everythingOf = async (token: string) => {
        const resources: Resource[] = [];
        for (let startIndex = 0; ; startIndex += 100) {
          const page = await get(`Patient/${MEMBER}/$everything?_count=100&startIndex=${startIndex}`, token);
          expect(page.status).toBe(200);
          resources.push(...((page.body as Bundle).entry ?? []).map((entry) => entry.resource as Resource));
          const total = (page.body as Bundle).total ?? 0;
          if (startIndex + 100 >= total) return { resources, total };
        }
      };
      const [withheld, shared] = [await everythingOf(tokens.noSensitive), await everythingOf(tokens.all)];
      const labelledIds = shared.resources.filter((resource) => (resource.meta?.security ?? []).length > 0).map((resource) => resource.id);
      expect(labelledIds).toEqual(expect.arrayContaining(SENSITIVE));
      expect(withheld.resources.map((resource) => resource.id)).toEqual(expect.arrayContaining(PLAIN));
      expect(withheld.resources.filter((resource) => (resource.meta?.security ?? []).length > 0)).toEqual([]);
      expect(withheld.total).toBe(shared.total - labelledIds.length);

      // No labelled resource of any type reaches this grant.
      for (const type of ['ExplanationOfBenefit', 'Condition', 'Coverage']) {
        const bundle = (await get(`${type}?patient=${MEMBER}&_count=1000`.replace('Coverage?patient', 'Coverage?beneficiary'), tokens.noSensitive)).body as Bundle;
        expect((bundle.entry ?? []).filter((entry) => (entry.resource?.meta?.security ?? []).length > 0)).toEqual([]);
      }
    });
  });

  describe('withheld demographics', () => {
    it('are removed from the Patient wherever it appears: read, search, include and _elements', async () => {
      const withheld = ['name', 'gender', 'birthDate', 'address', 'telecom', 'identifier', 'text', 'contained'];
      const full = await get(`Patient/${MEMBER}`, tokens.all);
      expect(full.body.birthDate).toBeDefined();
      expect(full.body.identifier).toBeDefined();
      const responses = [
        (await get(`Patient/${MEMBER}`, tokens.noDemographics)).body,
        ...(((await get(`Patient?_id=${MEMBER}`, tokens.noDemographics)).body as Bundle).entry ?? []).map((entry) => entry.resource),
        ...(((await get(`Patient?_id=${MEMBER}&_elements=birthDate,identifier,name,gender`, tokens.noDemographics)).body as Bundle).entry ?? []).map((entry) => entry.resource),
        ...(((await get(`Condition?patient=${MEMBER}&_include=Condition:patient`, tokens.noDemographics)).body as Bundle).entry ?? [])
          .filter((entry) => entry.resource?.resourceType === 'Patient')
          .map((entry) => entry.resource),
      ];
      expect(responses).toHaveLength(4);
      for (const patient of responses) {
        for (const element of withheld) expect(patient).not.toHaveProperty(element);
        expect(JSON.stringify(patient)).not.toContain(full.body.birthDate);
      }
    });

    it('cannot be recovered by any search: every search on them is refused the same way, whatever the value', async () => {
      const full = (await get(`Patient/${MEMBER}`, tokens.all)).body;
      const family = full.name[0].family as string;
      const identifier = full.identifier[0];
      const probes: [string, string][] = [
        [`birthdate=ge${full.birthDate}`, 'birthdate=ge2100-01-01'],
        [`birthdate=${full.birthDate}&_summary=count`, 'birthdate=1900-01-01&_summary=count'],
        [`birthdate=lt${full.birthDate}`, 'birthdate=lt1800'],
        [`gender=${full.gender}&_summary=count`, `gender=${full.gender === 'male' ? 'female' : 'male'}&_summary=count`],
        [`name=${family.slice(0, 1)}`, 'name=Zz'],
        [`name:exact=${family}`, 'name:exact=Nobody'],
        [`identifier=${identifier.system}|${identifier.value}`, `identifier=${identifier.system}|0`],
        [`identifier=${identifier.value}&_summary=count`, 'identifier=0&_summary=count'],
        ['birthdate:missing=false', 'birthdate:missing=true'],
        [`_id=${MEMBER}&birthdate=ge${full.birthDate}&_elements=id`, `_id=${MEMBER}&birthdate=ge2100&_elements=id`],
      ];
      for (const [right, wrong] of probes) {
        const a = await get(`Patient?${right}`, tokens.noDemographics);
        const b = await get(`Patient?${wrong}`, tokens.noDemographics);
        expect(a.status).toBe(403);
        expect(b.status).toBe(403);
        expect(a.body.resourceType).toBe('OperationOutcome');
        expect(a.body.issue[0].diagnostics).toMatch(/not available for this grant/);
        expect(JSON.stringify(a.body)).toBe(JSON.stringify(b.body).split(wrong.split('=')[0]).join(right.split('=')[0]));
        // The grant that shares demographics can tell them apart: the probe is a real one.
        const control = await get(`Patient?${right}`, tokens.all);
        expect(control.status).toBe(200);
      }
      // UserInfo reads the Patient through the same reader: the withheld name and birth date are not there.
      const shared = await request(app.getHttpServer()).get(`${BASE_PATH}/UserInfo`).set('Authorization', `Bearer ${tokens.all}`);
      expect(shared.body).toMatchObject({ family_name: family, birthdate: full.birthDate });
      const withheldInfo = await request(app.getHttpServer()).get(`${BASE_PATH}/UserInfo`).set('Authorization', `Bearer ${tokens.noDemographics}`);
      expect(withheldInfo.status).toBe(200);
      expect(withheldInfo.body).toEqual({ sub: 'member', patient: MEMBER, fhirUser: `Patient/${MEMBER}` });
      // What the member did not withhold still answers.
      expect((await get(`Patient?_id=${MEMBER}`, tokens.noDemographics)).body.total).toBe(1);
    });
  });
});
