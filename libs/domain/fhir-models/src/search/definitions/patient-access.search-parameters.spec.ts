import { createSearchParameterRegistry } from '../search-parameter.registry';
import {
  BLUE_BUTTON_EOB_TYPE_SYSTEM,
  EOB_TYPE_CODES,
  eobTypeSystemAliases,
} from './carin-bb.search-parameters';
import { patientAccessSearchParameters } from './patient-access.search-parameters';

describe(patientAccessSearchParameters.name, () => {
  const definitions = patientAccessSearchParameters();
  const registry = createSearchParameterRegistry(definitions);

  it('defines each parameter once per type', () => {
    expect(() => createSearchParameterRegistry(definitions)).not.toThrow();
  });

  it.each([
    ['Patient', ['_id', '_lastUpdated', 'identifier', 'name', 'birthdate', 'gender']],
    ['Coverage', ['_id', '_lastUpdated', 'beneficiary', 'patient', 'payor', 'identifier']],
    [
      'ExplanationOfBenefit',
      [
        '_id',
        '_lastUpdated',
        'patient',
        'type',
        'identifier',
        'service-date',
        'service-start-date',
        'billable-period-start',
        'created',
        'provider',
        'care-team',
        'coverage',
        'insurer',
      ],
    ],
    ['Condition', ['patient', 'category', 'code', 'clinical-status', 'onset-date']],
    ['Observation', ['patient', 'category', 'code', 'date', 'status']],
    ['AllergyIntolerance', ['patient', 'clinical-status']],
    ['Procedure', ['patient', 'code', 'date', 'status']],
    ['Immunization', ['patient', 'date', 'status']],
    ['MedicationRequest', ['patient', 'status', 'intent', 'authoredon']],
    ['Encounter', ['patient', 'date', 'status', 'class', 'type', 'identifier']],
    ['DiagnosticReport', ['patient', 'category', 'code', 'date', 'status']],
    ['DocumentReference', ['patient', 'category', 'type', 'date', 'period', 'status']],
    ['CarePlan', ['patient', 'category', 'date', 'status']],
    ['CareTeam', ['patient', 'status']],
    ['Goal', ['patient', 'lifecycle-status', 'target-date']],
    ['RelatedPerson', ['_id', '_lastUpdated', 'patient', 'name']],
    ['Practitioner', ['_id', 'identifier', 'name']],
    ['Organization', ['_id', 'identifier', 'name']],
    ['Location', ['_id', 'identifier', 'name']],
  ])('%s is searchable by %j', (type, codes) => {
    expect(registry.forResourceType(type).map((definition) => definition.code)).toEqual(expect.arrayContaining(codes));
  });

  it.each(definitions.map((definition) => [`${definition.base.join('|')}.${definition.code}`, definition]))(
    '%s has an expression over its base type, a canonical URL and targets when it is a reference',
    (_name, definition) => {
      for (const base of definition.base) {
        expect(definition.expression).toMatch(new RegExp(`^\\(?${base}\\.`));
      }
      expect(definition.url).toMatch(/^http:\/\/hl7\.org\/fhir\/(us\/(core|carin-bb)\/)?SearchParameter\/[A-Za-z-]+$/);
      expect(definition.url.toLowerCase()).toContain(definition.code.replace(/^_/, '').toLowerCase());
      expect(definition.target !== undefined).toBe(definition.type === 'reference');
    },
  );

  // The expressions the seed's searches depend on, pinned against accidental edits of the data.
  it.each([
    ['ExplanationOfBenefit', 'patient', 'ExplanationOfBenefit.patient'],
    ['ExplanationOfBenefit', 'type', 'ExplanationOfBenefit.type'],
    ['ExplanationOfBenefit', 'service-date', 'ExplanationOfBenefit.billablePeriod | ExplanationOfBenefit.item.serviced'],
    ['ExplanationOfBenefit', 'coverage', 'ExplanationOfBenefit.insurance.coverage'],
    ['ExplanationOfBenefit', 'care-team', 'ExplanationOfBenefit.careTeam.provider'],
    ['Coverage', 'beneficiary', 'Coverage.beneficiary'],
    ['Patient', '_id', 'Resource.id'],
    ['Patient', '_lastUpdated', 'Resource.meta.lastUpdated'],
    ['Observation', 'patient', 'Observation.subject.where(resolve() is Patient)'],
  ])('%s %s selects %s', (type, code, expression) => {
    expect(registry.get(type, code)?.expression).toBe(expression);
  });

  it('patient parameters of clinical resources only point at a Patient', () => {
    const patientParameters = definitions.filter((definition) => definition.code === 'patient');
    expect(patientParameters.length).toBeGreaterThan(10);
    for (const definition of patientParameters) {
      expect(definition.target).toEqual(['Patient']);
    }
  });

  it('restricts ExplanationOfBenefit type to the claim types, under the Blue Button system by default', () => {
    expect(registry.get('ExplanationOfBenefit', 'type')?.allowedValues).toEqual({
      systems: [BLUE_BUTTON_EOB_TYPE_SYSTEM],
      codes: ['carrier', 'pde', 'dme', 'hha', 'hospice', 'inpatient', 'outpatient', 'snf'],
    });
  });

  it('accepts the configured claim-type systems instead of the default', () => {
    const systems = ['https://example.org/eob-type'];
    const custom = createSearchParameterRegistry(patientAccessSearchParameters({ eobTypeSystems: systems }));

    expect(custom.get('ExplanationOfBenefit', 'type')?.allowedValues).toEqual({ systems, codes: EOB_TYPE_CODES });
  });
});

describe(eobTypeSystemAliases.name, () => {
  it("gives both of seed 002's spellings on the service's own host", () => {
    expect(eobTypeSystemAliases('https://apiservicessb-ext.bcbsnc.com/fhir/sb/R4/patientaccess')).toEqual([
      'https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type',
      'https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eobtype',
    ]);
  });

  it('keeps a non-default port', () => {
    expect(eobTypeSystemAliases('http://localhost:3003/fhir')[0]).toBe('http://localhost:3003/resources/codesystem/eob-type');
  });
});
