import { compartmentCondition, compartmentPatientOf, lookbackStart, NOT_SENSITIVE, patientCompartment, payerCompartment, UNRESTRICTED } from './compartment';

describe('compartment', () => {
  it("limits a patient's reader to that patient, shared directory types excepted", () => {
    const own = patientCompartment('p1');
    expect(compartmentPatientOf(own, 'ExplanationOfBenefit')).toBe('p1');
    expect(compartmentPatientOf(own, 'Organization')).toBeUndefined();
    const values: unknown[] = [];
    expect(compartmentCondition(own, 'Coverage', (value) => `$${values.push(value)}`)).toBe('r.patient_id = $1');
    expect(values).toEqual(['p1']);
    expect(compartmentCondition(own, 'Practitioner', () => '$1')).toBeUndefined();
  });

  it('lets only the reader asked for by name see everything', () => {
    expect(compartmentPatientOf(UNRESTRICTED, 'ExplanationOfBenefit')).toBeUndefined();
    expect(compartmentCondition(UNRESTRICTED, 'Coverage', () => '$1')).toBeUndefined();
  });

  it('has no patient compartment without a patient', () => {
    expect(() => patientCompartment('')).toThrow();
    expect(() => patientCompartment(undefined as unknown as string)).toThrow();
  });

  it("applies a member's withheld sensitive data with the same condition as a payer's non-sensitive consent, to every type", () => {
    const bind = () => '$1';
    const withholding = patientCompartment('p1', { demographics: false, sensitive: true });
    expect(compartmentCondition(withholding, 'Condition', bind)).toBe(`r.patient_id = $1 AND ${NOT_SENSITIVE}`);
    expect(compartmentCondition(withholding, 'Organization', bind)).toBe(NOT_SENSITIVE);
    expect(compartmentCondition(withholding, undefined, bind)).toBe(`(r.patient_id IS NULL OR r.patient_id = $1) AND ${NOT_SENSITIVE}`);
    expect(compartmentCondition(patientCompartment('p1'), 'Condition', bind)).toBe('r.patient_id = $1');
    expect(compartmentCondition(patientCompartment('p1'), 'Organization', bind)).toBeUndefined();
    expect(compartmentCondition(UNRESTRICTED, 'Condition', bind)).toBeUndefined();
  });

  describe("a payer's compartment", () => {
    const at = new Date('2026-12-01T12:00:00Z');
    const sql = (resourceType: string | undefined) => {
      const values: unknown[] = [];
      const text = compartmentCondition(payerCompartment('PayerA', at), resourceType, (value) => `$${values.push(value)}`);
      return { text, values };
    };

    it('is the live links of that payer, with the five-year look-back and the sensitivity rule, never "no patient"', () => {
      const { text, values } = sql('ExplanationOfBenefit');
      expect(text).toContain('EXISTS (SELECT 1 FROM payer_link l WHERE l.client_id = $1 AND l.patient_id = r.patient_id AND l.revoked_at IS NULL');
      expect(text).toContain(`l.consent_policy = 'all' OR ${NOT_SENSITIVE}`);
      expect(text).toContain('r.record_date IS NULL OR r.record_date >= $4');
      expect(values).toEqual(['PayerA', at, at, new Date('2021-12-01T12:00:00Z')]);
      expect(compartmentPatientOf(payerCompartment('PayerA', at), 'ExplanationOfBenefit')).toBeUndefined();
    });

    it('leaves shared directory types open and keeps unowned rows among includes', () => {
      expect(sql('Organization').text).toBeUndefined();
      expect(sql(undefined).text).toMatch(/^\(r\.patient_id IS NULL OR /);
    });

    it('needs a client', () => {
      expect(() => payerCompartment('', at)).toThrow();
      expect(lookbackStart(new Date('2024-02-29T00:00:00Z')).toISOString()).toBe('2019-03-01T00:00:00.000Z');
    });
  });
});
