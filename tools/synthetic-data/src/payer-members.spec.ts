import type { Coverage, ExplanationOfBenefit, Patient, Resource } from '@medplum/fhirtypes';
import { applySensitivityLabels } from '@payer-access/fhir-models';
import { MBI_SYSTEM, PAYER_MATCH_MEMBERS } from './payer-members';
import { sandboxDataSet } from './synthetic-data.generator';

const DAY_MS = 86_400_000;
/** The payer look-back: five years before the load (1,826 days covers a leap day). */
const FIVE_YEARS_MS = 1826 * DAY_MS;

function ofPatient(resources: Resource[], patientId: string): Resource[] {
  return resources.filter((resource) => resource.id === patientId || JSON.stringify(resource).includes(`"Patient/${patientId}"`));
}

function eobsOf(resources: Resource[], patientId: string): ExplanationOfBenefit[] {
  return ofPatient(resources, patientId).filter((resource): resource is ExplanationOfBenefit => resource.resourceType === 'ExplanationOfBenefit');
}

/** Claims a payer may see: billed (the billable period's end) within five years of the load. */
function recentClaims(eobs: ExplanationOfBenefit[], asOf: Date): ExplanationOfBenefit[] {
  return eobs.filter((eob) => Date.parse(eob.billablePeriod?.end ?? '') >= asOf.getTime() - FIVE_YEARS_MS);
}

describe('payer-to-payer members of the sandbox data set', () => {
  const asOf = new Date('2026-12-01T10:00:00Z');
  const data = [...sandboxDataSet(asOf)];

  it('carry the demographics, identifiers and old subscriber id a new payer sends', () => {
    for (const member of PAYER_MATCH_MEMBERS) {
      const patient = data.find((resource): resource is Patient => resource.resourceType === 'Patient' && resource.id === member.patientId);
      expect(patient).toMatchObject({ name: [{ family: member.familyName, given: [member.givenName] }], birthDate: member.birthDate, gender: member.gender });
      expect(patient?.identifier).toContainEqual({ system: MBI_SYSTEM, value: member.mbi });
      const coverages = ofPatient(data, member.patientId).filter((resource): resource is Coverage => resource.resourceType === 'Coverage');
      expect(coverages).toHaveLength(4);
      for (const coverage of coverages) {
        expect(coverage.subscriberId).toBe(member.subscriberId);
        expect(coverage.period?.end).toBe(member.coverageEndedDaysAgo === undefined ? undefined : new Date(Date.parse('2026-12-01') - member.coverageEndedDaysAgo * DAY_MS).toISOString().slice(0, 10));
      }
    }
  });

  it('include the near misses: a namesake with day and month swapped, a duplicate enrolment, two people sharing name and birth date', () => {
    const key = (member: (typeof PAYER_MATCH_MEMBERS)[number]) => `${member.familyName}|${member.givenName}`;
    const [rosa, namesake] = PAYER_MATCH_MEMBERS.filter((member) => key(member) === 'Delgado|Rosa');
    expect(namesake.birthDate).toBe(`${rosa.birthDate.slice(0, 4)}-${rosa.birthDate.slice(8, 10)}-${rosa.birthDate.slice(5, 7)}`);
    const graces = PAYER_MATCH_MEMBERS.filter((member) => key(member) === 'Okafor|Grace');
    expect(new Set(graces.map((member) => `${member.birthDate}|${member.subscriberId}`)).size).toBe(1);
    const marias = PAYER_MATCH_MEMBERS.filter((member) => key(member) === 'Garcia|Maria');
    expect(new Set(marias.map((member) => member.birthDate)).size).toBe(1);
    expect(new Set(marias.map((member) => member.subscriberId)).size).toBe(2);
  });

  it('have ten claims within five years of the load and two older ones, however late the data is loaded', () => {
    for (const loadedAt of [asOf, new Date('2031-07-15T08:00:00Z'), new Date('2040-02-29T12:00:00Z')]) {
      const later = [...sandboxDataSet(loadedAt)];
      for (const member of PAYER_MATCH_MEMBERS) {
        const eobs = eobsOf(later, member.patientId);
        expect(eobs).toHaveLength(12);
        expect(recentClaims(eobs, loadedAt)).toHaveLength(10);
        // Nothing happens after the load: no claim, payment or update in the future.
        for (const eob of eobs) {
          for (const when of [eob.billablePeriod?.end, eob.created, eob.payment?.date, eob.meta?.lastUpdated]) expect(Date.parse(when ?? '')).toBeLessThanOrEqual(loadedAt.getTime());
        }
      }
    }
  });

  it('have a chart from the last year, and sensitive data the loader labels: a diagnosis each, and one claim of Rosa Delgado', () => {
    for (const member of PAYER_MATCH_MEMBERS) {
      const own = ofPatient(data, member.patientId);
      const encounter = own.find((resource) => resource.resourceType === 'Encounter') as { period?: { end?: string } } | undefined;
      expect(asOf.getTime() - Date.parse(encounter?.period?.end ?? '')).toBeLessThan(365 * DAY_MS);
      const labelled = own.filter((resource) => applySensitivityLabels(resource) !== resource).map((resource) => resource.id);
      expect(labelled).toContain(`cond-${member.patientId.replace(/^-/, 'm')}-sensitive`);
    }
    const rosa = PAYER_MATCH_MEMBERS[0].patientId;
    const behavioral = eobsOf(data, rosa).filter((eob) => eob.diagnosis?.some((diagnosis) => diagnosis.diagnosisCodeableConcept?.coding?.[0].code === 'F33.1'));
    expect(behavioral).toHaveLength(1);
    expect(applySensitivityLabels(behavioral[0]).meta?.security).toContainEqual({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' });
    expect(recentClaims(behavioral, asOf)).toHaveLength(1);
  });
});
