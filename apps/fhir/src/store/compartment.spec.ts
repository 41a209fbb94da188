import { compartmentPatientOf, isInCompartment, patientCompartment, UNRESTRICTED } from './compartment';

describe('compartment', () => {
  it("limits a patient's reader to that patient, shared directory types excepted", () => {
    const own = patientCompartment('p1');
    expect(compartmentPatientOf(own, 'ExplanationOfBenefit')).toBe('p1');
    expect(compartmentPatientOf(own, 'Organization')).toBeUndefined();
    expect(isInCompartment(own, 'Coverage', 'p1')).toBe(true);
    expect(isInCompartment(own, 'Coverage', 'p2')).toBe(false);
    expect(isInCompartment(own, 'Coverage', null)).toBe(false);
    expect(isInCompartment(own, 'Practitioner', null)).toBe(true);
  });

  it('lets only the reader asked for by name see everything', () => {
    expect(compartmentPatientOf(UNRESTRICTED, 'ExplanationOfBenefit')).toBeUndefined();
    expect(isInCompartment(UNRESTRICTED, 'Coverage', 'p2')).toBe(true);
  });

  it('has no patient compartment without a patient', () => {
    expect(() => patientCompartment('')).toThrow();
    expect(() => patientCompartment(undefined as unknown as string)).toThrow();
  });
});
