import type { Coverage, Patient } from '@medplum/fhirtypes';
import { matchMember, normalizeBirthDate, normalizeText, type MemberCandidate } from './member-match.rules';

const patient = (overrides: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  name: [{ family: 'Núñez', given: ['María', 'José'] }],
  birthDate: '1980-02-29',
  identifier: [{ system: 'http://old-plan.example/member', value: 'OLD-123' }],
  ...overrides,
});
const coverage = (subscriberId: string): Coverage => ({ resourceType: 'Coverage', status: 'active', subscriberId, beneficiary: { reference: 'Patient/x' }, payor: [{ display: 'Old plan' }] });

const maria: MemberCandidate = {
  patientId: 'p-maria',
  patient: patient({ identifier: [{ system: 'https://plan.example/mbi', value: '1EG4-TE5-MK73' }] }),
  coverages: [coverage('W123456789'), { ...coverage('ignored'), subscriberId: undefined, identifier: [{ value: 'PRIOR-555' }] }],
};
const other: MemberCandidate = { patientId: 'p-other', patient: patient({ name: [{ family: 'Smith', given: ['John'] }], birthDate: '1970-01-01' }), coverages: [coverage('W999')] };

describe('member matching', () => {
  it('matches on the old coverage member id with the same demographics, whatever the case, accents and punctuation', () => {
    const result = matchMember({ patient: patient({ name: [{ family: "NUNEZ", given: ['maria'] }], identifier: [] }), coverage: coverage('w-123456789') }, [maria, other]);
    expect(result).toEqual({ outcome: 'matched', patientId: 'p-maria', criterion: 'coverage-member-id' });
  });

  it('matches a prior coverage identifier too', () => {
    const result = matchMember({ patient: patient({ identifier: [] }), coverage: coverage('PRIOR-555') }, [maria, other]);
    expect(result).toMatchObject({ outcome: 'matched', patientId: 'p-maria' });
  });

  it('prefers a shared Patient identifier, and names that criterion', () => {
    const result = matchMember({ patient: patient({ identifier: [{ system: 'https://plan.example/mbi', value: '1eg4te5mk73' }] }), coverage: coverage('unknown') }, [maria, other]);
    expect(result).toEqual({ outcome: 'matched', patientId: 'p-maria', criterion: 'patient-identifier' });
  });

  it.each([
    ['a typo in the family name', { name: [{ family: 'Nunes', given: ['Maria'] }] }, 'W123456789'],
    ['a typo in the given name', { name: [{ family: 'Nunez', given: ['Marie'] }] }, 'W123456789'],
    ['given and family swapped', { name: [{ family: 'Maria', given: ['Nunez'] }] }, 'W123456789'],
    ['another birth date', { birthDate: '1980-03-01' }, 'W123456789'],
    ['an impossible birth date', { birthDate: '1981-02-29' }, 'W123456789'],
    ['no birth date', { birthDate: undefined }, 'W123456789'],
    ['a different member id', {}, 'W123456780'],
    ['no name at all', { name: undefined }, 'W123456789'],
  ])('does not match with %s', (_case, overrides, memberId) => {
    expect(matchMember({ patient: patient({ identifier: [], ...overrides }), coverage: coverage(memberId) }, [maria, other])).toEqual({ outcome: 'none' });
  });

  it('does not take an identifier value from another system for a Patient identifier', () => {
    const result = matchMember({ patient: patient({ identifier: [{ system: 'https://elsewhere.example', value: '1EG4-TE5-MK73' }] }), coverage: coverage('nope') }, [maria]);
    expect(result).toEqual({ outcome: 'none' });
  });

  it('refuses to choose between two members who fit the same criterion', () => {
    const twin: MemberCandidate = { ...maria, patientId: 'p-twin' };
    expect(matchMember({ patient: patient({ identifier: [] }), coverage: coverage('W123456789') }, [maria, twin])).toEqual({
      outcome: 'ambiguous',
      criterion: 'coverage-member-id',
      count: 2,
    });
  });

  it('does not match with day and month of birth swapped', () => {
    const born = (birthDate: string, patientId: string): MemberCandidate => ({ ...maria, patientId, patient: patient({ birthDate, identifier: [] }) });
    const march = born('1980-03-04', 'p-march');
    expect(matchMember({ patient: patient({ birthDate: '1980-04-03', identifier: [] }), coverage: coverage('W123456789') }, [march])).toEqual({ outcome: 'none' });
    // A namesake born on the swapped day with another card is not taken for her either.
    const april: MemberCandidate = { ...born('1980-04-03', 'p-april'), coverages: [coverage('W555')] };
    expect(matchMember({ patient: patient({ birthDate: '1980-04-03', identifier: [] }), coverage: coverage('W123456789') }, [march, april])).toEqual({ outcome: 'none' });
  });

  it('tells apart two members sharing name and birth date by the coverage id, and matches neither on demographics alone', () => {
    const other: MemberCandidate = { patientId: 'p-maria-2', patient: patient({ identifier: [{ system: 'https://plan.example/mbi', value: '9ZZ9-ZZ9-ZZ99' }] }), coverages: [coverage('W987654321')] };
    const ask = (memberId: string) => matchMember({ patient: patient({ identifier: [] }), coverage: coverage(memberId) }, [maria, other]);
    expect(ask('W123456789')).toEqual({ outcome: 'matched', patientId: 'p-maria', criterion: 'coverage-member-id' });
    expect(ask('W987654321')).toEqual({ outcome: 'matched', patientId: 'p-maria-2', criterion: 'coverage-member-id' });
    expect(ask('W000000000')).toEqual({ outcome: 'none' });
    expect(ask('')).toEqual({ outcome: 'none' });
  });

  it('matches on a coverage id only with the given name too: a sibling on the same card is not the member', () => {
    const sibling: MemberCandidate = { ...maria, patientId: 'p-sibling', patient: patient({ name: [{ family: 'Núñez', given: ['Lucía'] }], identifier: [] }) };
    expect(matchMember({ patient: patient({ identifier: [] }), coverage: coverage('W123456789') }, [maria, sibling])).toEqual({
      outcome: 'matched',
      patientId: 'p-maria',
      criterion: 'coverage-member-id',
    });
  });

  it('normalizes text and dates once, strictly', () => {
    expect(normalizeText(" O'Brien-Núñez ")).toBe('obriennunez');
    expect(normalizeText('Ǆ\u0000')).toBe('dz');
    expect(normalizeBirthDate('2000-02-29')).toBe('2000-02-29');
    expect(normalizeBirthDate('1900-02-29')).toBe('');
    expect(normalizeBirthDate('1980-02')).toBe('');
  });
});
