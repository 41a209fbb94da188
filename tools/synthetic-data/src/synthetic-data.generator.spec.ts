import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { applySensitivityLabels, EOB_TYPE_CODES, SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { createHash } from 'node:crypto';
import { fhirSchemaErrors } from './fhir-schema.validator';
import { generateSyntheticData, SANDBOX_CLAIM_MIX, sandboxDataSet } from './synthetic-data.generator';

function digest(resources: Iterable<Resource>): string {
  const hash = createHash('sha256');
  for (const resource of resources) hash.update(JSON.stringify(resource));
  return hash.digest('hex');
}

function claimTypes(resources: Resource[], patientId: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of resources) {
    if (resource.resourceType !== 'ExplanationOfBenefit' || resource.patient?.reference !== `Patient/${patientId}`) continue;
    const code = (resource as ExplanationOfBenefit).type.coding?.[0].code ?? '';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

describe(generateSyntheticData.name, () => {
  const asOf = new Date('2026-12-01T10:00:00Z');
  const sandbox = [...sandboxDataSet(asOf)];

  it('is deterministic: the same seed and day give byte-identical data, another seed different data', () => {
    expect(digest(sandboxDataSet(new Date('2026-12-01T23:59:00Z')))).toBe(digest(sandbox));
    expect(digest(generateSyntheticData({ seed: 7, extraPatients: 8, eobsPerPatient: 12, asOf }))).not.toBe(digest(sandbox));
  });

  it('gives every resource of the sandbox set its own type and id', () => {
    const keys = sandbox.map((resource) => `${resource.resourceType}/${resource.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives BCNCUser03's patient seed 002's exact mix: 44 carrier, 1 inpatient, 103 pde", () => {
    expect(claimTypes(sandbox, '-20140000000024')).toEqual({ carrier: 44, inpatient: 1, pde: 103 });
  });

  it('links every sandbox member to a Patient with four Coverage parts, clinical data and claims', () => {
    for (const member of SANDBOX_MEMBERS) {
      const own = sandbox.filter((resource) => resource.id === member.patientId || JSON.stringify(resource).includes(`"Patient/${member.patientId}"`));
      expect(own.filter((resource) => resource.resourceType === 'Patient')).toHaveLength(1);
      expect(own.filter((resource) => resource.resourceType === 'Coverage').map((coverage) => coverage.id)).toEqual(
        ['a', 'b', 'c', 'd'].map((part) => `part-${part}${member.patientId}`),
      );
      // The clinical record's condition and one sensitive diagnosis the loader labels.
      const conditions = own.filter((resource) => resource.resourceType === 'Condition');
      expect(conditions).toHaveLength(2);
      expect(conditions.filter((condition) => applySensitivityLabels(condition) !== condition).map((condition) => condition.id)).toContain(
        `cond-${member.patientId.replace(/^-/, 'm')}-sensitive`,
      );
      expect(claimTypes(sandbox, member.patientId)).toEqual(SANDBOX_CLAIM_MIX[member.patientId]);
    }
  });

  it('covers all eight claim types, each with items, amounts and a CARIN profile', () => {
    const eobs = sandbox.filter((resource): resource is ExplanationOfBenefit => resource.resourceType === 'ExplanationOfBenefit');
    expect(new Set(eobs.map((eob) => eob.type.coding?.[0].code))).toEqual(new Set(EOB_TYPE_CODES));
    for (const eob of eobs) {
      expect(eob.meta?.profile?.[0]).toMatch(/C4BB-ExplanationOfBenefit-/);
      expect(eob.item?.length).toBeGreaterThan(0);
      expect(eob.total?.[0].amount?.value).toBeGreaterThan(0);
      expect(eob.insurance[0].coverage.reference).toMatch(/^Coverage\/part-[abd]-/);
    }
  });

  it('writes only resources valid against the FHIR R4 JSON schema, each with a profile', () => {
    const invalid = sandbox.map((resource) => ({ id: `${resource.resourceType}/${resource.id}`, errors: fhirSchemaErrors(resource) })).filter((result) => result.errors.length > 0);
    expect(invalid).toEqual([]);
    expect(sandbox.filter((resource) => !resource.meta?.profile?.length)).toEqual([]);
    expect(fhirSchemaErrors({ resourceType: 'Coverage', status: 'active' })).not.toEqual([]);
  });

  it('streams: a large set is produced lazily with distinct ids', () => {
    const ids = new Set<string>();
    let eobs = 0;
    for (const resource of generateSyntheticData({ includeSandboxMembers: false, extraPatients: 300, eobsPerPatient: 10, clinical: false })) {
      const key = `${resource.resourceType}/${resource.id}`;
      expect(ids.has(key)).toBe(false);
      ids.add(key);
      if (resource.resourceType === 'ExplanationOfBenefit') eobs += 1;
    }
    expect(eobs).toBe(3000);
  });
});
