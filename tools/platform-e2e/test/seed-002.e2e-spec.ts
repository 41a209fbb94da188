import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { startIsolatedKafka, type IsolatedKafka } from '@payer-access/testing';
import type { Browser } from 'playwright-core';
import { authorizeInBrowser, launchBrowser } from './support/browser';
import { report, stepWithDiagnostics } from './support/diagnostics';
import { decodeJwtPayload, getJson, SEED_CLIENT, seedAuthorizeUrl, seedTokenRequest, type JsonResponse } from './support/http';
import { Platform } from './support/platform';
import { eventually, required } from './support/poll';

interface Bundle {
  resourceType: string;
  type: string;
  total: number;
  link?: { relation: string; url: string }[];
  entry?: { fullUrl?: string; resource: { resourceType: string; id: string; meta?: { lastUpdated?: string } } }[];
}

/**
 * The authorization service leaves `openid` and `profile` out of the FHIR access token's `scope`
 * (apps/authorization/src/oidc/oidc-provider.factory.ts, resourceScopesFor keeps resource scopes
 * only), while the FHIR service's UserInfo requires `profile` or `openid` in it: 403.
 */

const member = (username: string) => {
  const found = SANDBOX_MEMBERS.find((candidate) => candidate.username === username);
  if (!found) throw new Error(`${username} is not a sandbox member`);
  return found;
};

// Global timeouts do not reach a project of the multi-project run (tools/test/jest.config.js), so
// the file sets its own: a broker, three service starts and a browser in beforeAll. Every wait
// inside has a shorter deadline of its own that fails with a message naming what did not happen.
jest.setTimeout(240_000);

/**
 * Seed 002 (/work/shared/seeds/002) step by step against the three services running as separate
 * processes: only the host names differ from what the seed writes.
 */
describe('seed 002 walkthrough across the platform (headless Chromium)', () => {
  let kafkaBroker: IsolatedKafka | undefined;
  let started: Platform | undefined;
  let chromium: Browser | undefined;
  const platform = (): Platform => required(started, 'the platform');
  const browser = (): Browser => required(chromium, 'the browser');
  const step = stepWithDiagnostics(() => started?.diagnostics());

  // Filled in by the steps, in order.
  let token = '';
  let patient = '';
  let grantedScope = '';

  beforeAll(async () => {
    // A broker of this file's own: the client topic is compacted and read from the beginning, so
    // a broker shared with other test files would hand these services other runs' versions of
    // the seed client.
    const began = performance.now();
    kafkaBroker = await startIsolatedKafka('platform-e2e-seed');
    const brokerMs = Math.round(performance.now() - began);
    [started, chromium] = await Promise.all([Platform.start({ name: 'seed-002', kafkaBrokers: kafkaBroker.brokers, kafkaCredentials: kafkaBroker.credentials }), launchBrowser()]);
    report(`seed-002: Kafka broker started in ${brokerMs} ms; services (separate processes): ${started.startupSummary()}`);
  });

  afterAll(async () => {
    await chromium?.close();
    await started?.stop();
    await kafkaBroker?.dispose();
  });

  const api = (path: string, bearer = token): Promise<JsonResponse<Bundle>> => getJson<Bundle>(`${platform().fhirBase}${path}`, bearer);

  step('Step 1: authorize with the seed URL — disclaimer, login BCNCUser03, Self, consent — and get a code back', async () => {
    const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(platform().authorization.url), SEED_CLIENT.redirectUri, member('BCNCUser03'));
    expect(`${redirect.url.origin}${redirect.url.pathname}`).toBe(SEED_CLIENT.redirectUri);
    expect(redirect.state).toBe('test');
    expect(redirect.code).toEqual(expect.any(String));

    // Step 2: the seed's curl, content type and body as written.
    const response = await seedTokenRequest(platform().authorization.url, redirect.code ?? '');
    expect({ status: response.status, body: response.body }).toMatchObject({
      status: 200,
      body: {
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: expect.any(Number),
        scope: expect.stringContaining('patient/*.read'),
        refresh_token: expect.any(String),
        patient: member('BCNCUser03').patientId,
      },
    });
    token = response.body.access_token as string;
    grantedScope = String(response.body.scope);
    patient = response.body.patient as string;
    expect(response.body.expires_in).toBeGreaterThan(0);
    // RFC 9068 claims the FHIR service relies on.
    expect(decodeJwtPayload(token)).toMatchObject({
      iss: platform().authorization.url,
      aud: platform().fhirBase,
      client_id: SEED_CLIENT.clientId,
      patient,
      grant_id: expect.any(String),
    });
    expect(String(decodeJwtPayload(token).scope).split(' ')).toContain('patient/*.read');
  });

  step("the access token's scope claim is the scope as granted (the token response's)", async () => {
    const granted = required(grantedScope || undefined, 'the scope granted in Step 1');
    expect(String(decodeJwtPayload(token).scope).split(' ').sort()).toEqual(granted.split(' ').sort());
  });

  step('Step 3: Patient/[patient]', async () => {
    const response = await api(`/Patient/${patient}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ resourceType: 'Patient', id: patient });
  });

  step('Coverage/?beneficiary=[patient]', async () => {
    const response = await api(`/Coverage/?beneficiary=${patient}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(response.body.total).toBeGreaterThan(0);
    for (const entry of response.body.entry ?? []) expect(entry.resource.resourceType).toBe('Coverage');
  });

  step("the seed's Patient and Coverage examples (BCNCUser04): Jane X Doe and her part A", async () => {
    const example = member('BCNCUser04');
    const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(platform().authorization.url), SEED_CLIENT.redirectUri, example);
    const exchanged = await seedTokenRequest(platform().authorization.url, redirect.code ?? '');
    expect({ status: exchanged.status, patient: exchanged.body.patient }).toEqual({ status: 200, patient: example.patientId });
    const exampleToken = exchanged.body.access_token as string;

    const read = await getJson(`${platform().fhirBase}/Patient/${example.patientId}`, exampleToken);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      resourceType: 'Patient',
      id: '-20140000008325',
      name: [expect.objectContaining({ family: 'Doe', given: ['Jane', 'X'] })],
      gender: 'unknown',
      birthDate: '2014-06-01',
      identifier: expect.arrayContaining([expect.objectContaining({ value: '-20140000008325' })]),
    });
    const coverage = await api(`/Coverage/?beneficiary=${example.patientId}`, exampleToken);
    expect(coverage.status).toBe(200);
    expect((coverage.body.entry ?? []).map((entry) => entry.resource.id)).toContain('part-a-20140000008325');
  });

  step('ExplanationOfBenefit/?patient=[patient]: 148 claims, the first 10, paging links', async () => {
    const response = await api(`/ExplanationOfBenefit/?patient=${patient}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 148 });
    expect(response.body.entry).toHaveLength(10);
    const links = Object.fromEntries((response.body.link ?? []).map((link) => [link.relation, new URL(link.url)]));
    expect(Object.keys(links)).toEqual(expect.arrayContaining(['self', 'first', 'next', 'last']));
    // The seed's first link: `_count=10&startIndex=0&patient=...` on the FHIR host.
    expect(links.first.origin).toBe(platform().fhir.url);
    expect(links.first.searchParams.get('_count')).toBe('10');
    expect(links.first.searchParams.get('startIndex')).toBe('0');
    expect(links.first.searchParams.get('patient')).toBe(patient);

    const next = await getJson<Bundle>(links.next.toString(), token);
    expect(next.status).toBe(200);
    expect(next.body.total).toBe(148);
    expect(next.body.entry).toHaveLength(10);
    const firstIds = new Set((response.body.entry ?? []).map((entry) => entry.resource.id));
    expect((next.body.entry ?? []).filter((entry) => firstIds.has(entry.resource.id))).toEqual([]);
  });

  step('claim types: carrier 44, inpatient 1, pde 103, in both the code and the system|code forms', async () => {
    const system = (spelling: string) => `${platform().fhir.url}/resources/codesystem/${spelling}`;
    const queries: [string, number][] = [
      ['/ExplanationOfBenefit/?type=carrier', 44],
      [`/ExplanationOfBenefit/?type=${system('eob-type')}|carrier`, 44],
      ['/ExplanationOfBenefit/?type=inpatient', 1],
      [`/ExplanationOfBenefit/?type=${system('eobtype')}|inpatient`, 1],
      ['/ExplanationOfBenefit/?type=pde', 103],
      [`/ExplanationOfBenefit/?type=${system('eob-type')}|pde`, 103],
      // "More Efficient Data Queries": a comma-separated list matches any of the types.
      [`/ExplanationOfBenefit?patient=${patient}&type=carrier,dme,hha,hospice,inpatient,outpatient,snf`, 45],
    ];
    const answers = await Promise.all(queries.map(([query]) => api(query)));
    expect(answers.map((answer, index) => [queries[index][0], answer.status, answer.body?.total])).toEqual(
      queries.map(([query, total]) => [query, 200, total]),
    );
  });

  step('type=CARRIER (wrong case) is a 400 that says "not a valid value"', async () => {
    const response = await api('/ExplanationOfBenefit/?type=CARRIER');
    expect(response.status).toBe(400);
    expect(response.text).toContain('not a valid value');
  });

  step('_lastUpdated (BCNCUser05): gt, the two-bound interval, and _format=application/json+fhir', async () => {
    const seedMember = member('BCNCUser05');
    const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(platform().authorization.url), SEED_CLIENT.redirectUri, seedMember);
    const exchanged = await seedTokenRequest(platform().authorization.url, redirect.code ?? '');
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.patient).toBe(seedMember.patientId);
    const memberToken = exchanged.body.access_token as string;

    const after = await api(`/Patient?_id=${seedMember.patientId}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir`, memberToken);
    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toMatch(/json/);
    expect(after.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(after.body.entry?.[0]?.resource).toMatchObject({
      resourceType: 'Patient',
      id: seedMember.patientId,
      meta: { lastUpdated: '2020-02-13T21:53:06.017-05:00' },
    });
    const before = await api(`/Patient?_id=${seedMember.patientId}&_lastUpdated=lt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir`, memberToken);
    expect(before.status).toBe(200);
    expect(before.body.total).toBe(0);

    const all = await api(`/ExplanationOfBenefit?patient=Patient/${seedMember.patientId}&_format=application%2Fjson%2Bfhir`, memberToken);
    const interval = await api(
      `/ExplanationOfBenefit?patient=Patient/${seedMember.patientId}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00&_format=application%2Fjson%2Bfhir`,
      memberToken,
    );
    expect([all.status, interval.status]).toEqual([200, 200]);
    expect(interval.body.total).toBeGreaterThan(0);
    expect(interval.body.total).toBeLessThan(all.body.total);
    const low = Date.parse('2020-02-13T08:00:00-05:00');
    const high = Date.parse('2020-02-14T08:00:00-05:00');
    for (const entry of interval.body.entry ?? []) {
      const lastUpdated = Date.parse(entry.resource.meta?.lastUpdated ?? '');
      expect(lastUpdated > low && lastUpdated < high).toBe(true);
    }
  });

  step('UserInfo on the FHIR host: /v1/connect/userinfo', async () => {
    const response = await getJson(`${platform().fhir.url}/v1/connect/userinfo`, token);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sub: expect.any(String), patient });
  });

  step('Step 5: the authorization URL with only ?client_id= (BCNCUser06) ends at the registered redirect URI with a code', async () => {
    const example = member('BCNCUser06');
    const url = `${platform().authorization.url}/fhirmember/sps/oauth/oauth20/authorize?client_id=${SEED_CLIENT.clientId}`;
    const redirect = await authorizeInBrowser(browser(), url, SEED_CLIENT.redirectUri, example);
    expect(`${redirect.url.origin}${redirect.url.pathname}`).toBe(SEED_CLIENT.redirectUri);
    const exchanged = await seedTokenRequest(platform().authorization.url, redirect.code ?? '');
    expect({ status: exchanged.status, patient: exchanged.body.patient }).toEqual({ status: 200, patient: example.patientId });
    const read = await getJson(`${platform().fhirBase}/Patient/${example.patientId}`, exchanged.body.access_token as string);
    expect(read.status).toBe(200);
  });

  step('choices made on the consent page reach the FHIR store: sensitive data and demographics withheld from one grant only', async () => {
    const example = member('BCNCUser06');
    const tokenFor = async (withhold: { demographics?: boolean; sensitive?: boolean }) => {
      const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(platform().authorization.url), SEED_CLIENT.redirectUri, { ...example, withhold });
      const exchanged = await seedTokenRequest(platform().authorization.url, redirect.code ?? '');
      expect(exchanged.status).toBe(200);
      return exchanged.body.access_token as string;
    };
    const sharing = await tokenFor({});
    const withholding = await tokenFor({ demographics: true, sensitive: true });
    expect(decodeJwtPayload(withholding)).toMatchObject({ withhold_sensitive: true, withhold_demographics: true });
    expect(decodeJwtPayload(sharing)).not.toHaveProperty('withhold_sensitive');

    // The sandbox member's sensitive diagnosis, labelled by the loader.
    const sensitiveId = `cond-${example.patientId.replace(/^-/, 'm')}-sensitive`;
    const conditionIds = async (bearer: string) => {
      const bundle = await api(`/Condition?patient=${example.patientId}&_count=100`, bearer);
      expect(bundle.status).toBe(200);
      return (bundle.body.entry ?? []).map((entry) => entry.resource.id);
    };
    expect(await conditionIds(sharing)).toContain(sensitiveId);
    expect(await conditionIds(withholding)).not.toContain(sensitiveId);
    expect((await api(`/Condition/${sensitiveId}`, sharing)).status).toBe(200);
    expect((await api(`/Condition/${sensitiveId}`, withholding)).status).toBe(404);

    // Totals and includes: the withholding grant counts and carries exactly the unlabelled ones.
    const labelled = (bundle: Bundle) => (bundle.entry ?? []).filter((entry) => ((entry.resource.meta as { security?: unknown[] } | undefined)?.security ?? []).length > 0);
    const sharedConditions = await api(`/Condition?patient=${example.patientId}&_count=100`, sharing);
    const labelledConditions = labelled(sharedConditions.body).length;
    expect(labelledConditions).toBeGreaterThan(0);
    const counted = await api(`/Condition?patient=${example.patientId}&_summary=count`, withholding);
    expect(counted.body.total).toBe(sharedConditions.body.total - labelledConditions);
    const included = await api(`/Patient?_id=${example.patientId}&_revinclude=Condition:patient`, withholding);
    expect((included.body.entry ?? []).map((entry) => entry.resource.id)).not.toContain(sensitiveId);
    expect((await api(`/Patient?_id=${example.patientId}&_revinclude=Condition:patient`, sharing)).body.entry?.map((entry) => entry.resource.id)).toContain(sensitiveId);

    // Every page of the member's claims, followed by its links: no labelled claim, and as many as the total says.
    const pages = async (bearer: string) => {
      const seen: Bundle['entry'] = [];
      let url: string | undefined = `${platform().fhirBase}/ExplanationOfBenefit?patient=${example.patientId}&_count=50`;
      let total = 0;
      while (url) {
        const page: JsonResponse<Bundle> = await getJson<Bundle>(url, bearer);
        expect(page.status).toBe(200);
        total = page.body.total;
        seen.push(...(page.body.entry ?? []));
        url = page.body.link?.find((link) => link.relation === 'next')?.url;
      }
      return { entries: seen, total };
    };
    const [sharedClaims, withheldClaims] = [await pages(sharing), await pages(withholding)];
    expect(labelled({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: withheldClaims.entries })).toEqual([]);
    expect(withheldClaims.entries).toHaveLength(withheldClaims.total);
    expect(withheldClaims.total).toBe(sharedClaims.total - labelled({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: sharedClaims.entries }).length);

    const patient = await api(`/Patient/${example.patientId}`, withholding);
    expect(patient.status).toBe(200);
    expect(patient.body).not.toHaveProperty('birthDate');
    expect(patient.body).not.toHaveProperty('identifier');
    // No search on a withheld element answers anything, not even a count: each is refused alike.
    for (const query of ['birthdate=ge1900', 'birthdate=lt2000&_summary=count', 'gender=female', 'name=d', 'name=Doe&_summary=count', 'identifier=' + example.patientId.slice(1)]) {
      expect([query, (await api(`/Patient?${query}`, withholding)).status]).toEqual([query, 403]);
    }
    expect((await api(`/Patient?birthdate=ge1900`, sharing)).status).toBe(200);
  });

  step("a Personal Representative's fhirUser reads back as the RelatedPerson with the name given at consent (over Kafka)", async () => {
    const example = member('BCNCUser04');
    const redirect = await authorizeInBrowser(browser(), seedAuthorizeUrl(platform().authorization.url), SEED_CLIENT.redirectUri, {
      ...example,
      representative: { option: 'Court ordered guardianship', name: 'Gale Okafor-Lindqvist' },
    });
    const exchanged = await seedTokenRequest(platform().authorization.url, redirect.code ?? '');
    expect(exchanged.status).toBe(200);
    const representativeToken = exchanged.body.access_token as string;
    const fhirUser = String(decodeJwtPayload(representativeToken).fhirUser);
    expect(fhirUser).toMatch(/^RelatedPerson\/[0-9a-f-]{36}$/);
    const relatedPersonId = fhirUser.slice('RelatedPerson/'.length);

    // The authorization service announces the representative; the FHIR service creates it shortly after.
    const read = await eventually(
      async () => {
        const response = await getJson(`${platform().fhirBase}/${fhirUser}`, representativeToken);
        return response.status === 200 ? response : undefined;
      },
      { what: `${fhirUser} on the FHIR API`, timeoutMs: 20_000 },
    );
    expect(read.body).toMatchObject({
      resourceType: 'RelatedPerson',
      id: relatedPersonId,
      patient: { reference: `Patient/${example.patientId}` },
      name: [{ text: 'Gale Okafor-Lindqvist' }],
      relationship: [{ coding: [{ code: 'GUARD' }], text: 'Court ordered guardianship' }],
      meta: { profile: [expect.stringContaining('C4BB-RelatedPerson')] },
    });
    const search = await api(`/RelatedPerson?patient=${example.patientId}`, representativeToken);
    expect(search.status).toBe(200);
    expect((search.body.entry ?? []).map((entry) => entry.resource.id)).toContain(relatedPersonId);
    // Another member's token (BCNCUser03's, from Step 1): it does not exist.
    expect((await getJson(`${platform().fhirBase}/${fhirUser}`, token)).status).toBe(404);
    expect((await api(`/RelatedPerson?patient=${example.patientId}`)).body.total).toBe(0);
  });

  step('no service crashed', async () => {
    expect(platform().crashes()).toEqual([]);
    expect(platform().services.map((service) => service.alive)).toEqual([true, true, true]);
  });
});
