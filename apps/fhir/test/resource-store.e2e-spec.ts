import { parseSearchRequest, SANDBOX_MEMBERS, type SearchQuery } from '@payer-access/fhir-models';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { createFhirSearchRegistry } from '../src/fhir-core.module';
import { ResourceRepository } from '../src/store/resource.repository';
import { startFhirTestApp, type FhirTestApp } from './support/test-app';

const [MEMBER_03, MEMBER_04] = SANDBOX_MEMBERS.map((member) => member.patientId);

/** The patient compartment is applied by the store itself, in every read, search and include. */
describe('resource store compartments', () => {
  let fhir: FhirTestApp;
  let repository: ResourceRepository;
  const registry = createFhirSearchRegistry({ FHIR_PUBLIC_URL: 'http://localhost:3003' });
  const request = (type: string, query: SearchQuery) => {
    const parsed = parseSearchRequest(type, query, registry, { maxCount: 1000 });
    if (!parsed.ok) throw new Error(parsed.error.diagnostics);
    return parsed.request;
  };

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    await fhir.app.get(NdjsonLoader).load(sandboxDataSet());
    repository = fhir.app.get(ResourceRepository);
  });

  afterAll(async () => {
    await fhir?.close();
  });

  it("reads another patient's resources as absent, its own and shared ones as stored", async () => {
    const reader = repository.forPatient(MEMBER_03);
    expect(await reader.read('Patient', MEMBER_03)).toBeDefined();
    expect(await reader.read('Patient', MEMBER_04)).toBeUndefined();
    expect(await repository.unrestricted().read('Patient', MEMBER_04)).toBeDefined();
    const organization = (await repository.unrestricted().search(request('Organization', { _count: '1' }))).entries[0];
    expect(await reader.readRaw('Organization', organization.id)).toBeDefined();
  });

  it("searches only the patient's compartment, even when the search names another patient", async () => {
    const own = await repository.forPatient(MEMBER_03).search(request('ExplanationOfBenefit', { _count: '1000' }));
    const all = await repository.unrestricted().search(request('ExplanationOfBenefit', { _count: '1000' }));
    expect(own.total).toBe(148);
    expect(all.total).toBeGreaterThan(own.total);
    const other = await repository.forPatient(MEMBER_03).search(request('ExplanationOfBenefit', { patient: MEMBER_04 }));
    expect(other.total).toBe(0);
  });

  it("keeps includes inside the compartment: no other patient's Patient or claims come along", async () => {
    const coverage = await repository.forPatient(MEMBER_04).search(request('Coverage', { _include: 'Coverage:beneficiary', _revinclude: 'ExplanationOfBenefit:coverage' }));
    expect(coverage.includes.length).toBeGreaterThan(0);
    // Directory data is shared, the claims that refer to it are not.
    const query = { _count: '1000', _revinclude: 'ExplanationOfBenefit:insurer' };
    const everyone = await repository.unrestricted().search(request('Organization', query));
    const owners = new Set<string | null>();
    for (const included of everyone.includes) owners.add((await repository.unrestricted().readRaw(included.resourceType, included.id))?.patientId ?? null);
    expect(owners.size).toBeGreaterThan(1);
    const own = await repository.forPatient(MEMBER_04).search(request('Organization', query));
    expect(own.includes.length).toBeGreaterThan(0);
    expect(own.includes.length).toBeLessThan(everyone.includes.length);
    coverage.includes.push(...own.includes);
    for (const included of coverage.includes) {
      const owner = (await repository.unrestricted().readRaw(included.resourceType, included.id))?.patientId ?? null;
      expect([included.resourceType, included.id, owner === null || owner === MEMBER_04]).toEqual([included.resourceType, included.id, true]);
    }
  });
});
