import { US_CORE_PATIENT_SEARCH_PARAMETERS, RESOURCE_SEARCH_PARAMETERS, type SearchParameterDefinition } from '@payer-access/fhir-models';
import { patientCompartment, withheldIn, UNRESTRICTED } from './compartment';
import { searchesWithheldElement, withoutDemographics } from './withheld';

const definition = (code: string, expression: string) => ({ code, expression, type: 'token', base: ['Patient'] }) as unknown as SearchParameterDefinition;

describe('withheld demographics', () => {
  it('makes every Patient search parameter on a demographic element unavailable, and only those', () => {
    const withheld = US_CORE_PATIENT_SEARCH_PARAMETERS.filter((parameter) => searchesWithheldElement('Patient', parameter)).map((parameter) => parameter.code);
    expect(withheld.sort()).toEqual(['birthdate', 'gender', 'identifier', 'name']);
    expect(RESOURCE_SEARCH_PARAMETERS.filter((parameter) => searchesWithheldElement('Patient', parameter))).toEqual([]);
    // Parameters a plan might add later are caught by the element they read, not by their name.
    expect(searchesWithheldElement('Patient', definition('phone', "Patient.telecom.where(system='phone')"))).toBe(true);
    expect(searchesWithheldElement('Patient', definition('death-date', 'Patient.deceased.as(dateTime)'))).toBe(true);
    expect(searchesWithheldElement('Patient', definition('address-city', 'Patient.address.city | Person.address.city'))).toBe(true);
    expect(searchesWithheldElement('Patient', definition('active', 'Patient.active'))).toBe(false);
    expect(searchesWithheldElement('Coverage', definition('identifier', 'Coverage.identifier'))).toBe(false);
  });

  it('removes the elements, the narrative and contained resources, and tags the Patient REDACTED', () => {
    const patient = {
      resourceType: 'Patient',
      id: 'p1',
      meta: { lastUpdated: '2024-01-01T00:00:00Z', security: [{ system: 's', code: 'c' }] },
      identifier: [{ value: '1S00E00AA00' }],
      text: { status: 'generated', div: '<div>Jane Doe, born 2014-06-01</div>' },
      contained: [{ resourceType: 'RelatedPerson', id: 'r', birthDate: '2014-06-01' }],
      name: [{ family: 'Doe' }],
      gender: 'female',
      birthDate: '2014-06-01',
      deceasedDateTime: '2090-01-01',
      active: true,
    };
    const redacted = JSON.parse(withoutDemographics(JSON.stringify(patient)));
    expect(redacted).toEqual({
      resourceType: 'Patient',
      id: 'p1',
      active: true,
      meta: {
        lastUpdated: '2024-01-01T00:00:00Z',
        security: [{ system: 's', code: 'c' }, { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED', display: 'redacted' }],
      },
    });
  });

  it('is carried by a patient compartment only; trusted readers withhold nothing', () => {
    expect(withheldIn(patientCompartment('p1', { demographics: true, sensitive: false }))).toEqual({ demographics: true, sensitive: false });
    expect(withheldIn(patientCompartment('p1'))).toEqual({ demographics: false, sensitive: false });
    expect(withheldIn(UNRESTRICTED)).toEqual({ demographics: false, sensitive: false });
  });
});
