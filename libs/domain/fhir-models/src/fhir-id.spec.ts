import { isFhirId } from './fhir-id';

describe(isFhirId.name, () => {
  it('accepts 1 to 64 letters, digits, hyphens and dots', () => {
    for (const id of ['a', '-20140000000024', 'Patient.1', 'A'.repeat(64), '0-9.az-AZ']) expect([id, isFhirId(id)]).toEqual([id, true]);
  });

  it('refuses the empty id, a 65th character, and anything outside the id alphabet', () => {
    for (const id of ['', 'A'.repeat(65), 'a_b', 'a b', 'a/b', 'é', 'a\n', '\u0000', 'id%2F1']) expect([id, isFhirId(id)]).toEqual([id, false]);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1, ['a'], { id: 'a' }]) expect(isFhirId(value)).toBe(false);
  });
});
