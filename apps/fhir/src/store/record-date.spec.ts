import type { ExplanationOfBenefit, Observation, Patient } from '@medplum/fhirtypes';
import { parseFhirDate, recordDateOf } from './record-date';

describe('record dates', () => {
  it('takes the end of an EOB billable period, then its creation', () => {
    const eob = { resourceType: 'ExplanationOfBenefit', billablePeriod: { start: '2018-01-01', end: '2018-02-03' }, created: '2019-01-01' } as ExplanationOfBenefit;
    expect(recordDateOf(eob)?.toISOString()).toBe('2018-02-03T00:00:00.000Z');
    expect(recordDateOf({ ...eob, billablePeriod: undefined })?.toISOString()).toBe('2019-01-01T00:00:00.000Z');
  });

  it('leaves undated resources undated', () => {
    expect(recordDateOf({ resourceType: 'Patient', birthDate: '1950-01-01' } as Patient)).toBeUndefined();
    expect(recordDateOf({ resourceType: 'Observation', effectiveDateTime: 'yesterday' } as unknown as Observation)).toBeUndefined();
  });

  it.each([
    ['2019', '2019-01-01T00:00:00.000Z'],
    ['2019-07', '2019-07-01T00:00:00.000Z'],
    ['2019-07-04T10:00:00-05:00', '2019-07-04T15:00:00.000Z'],
    ['2019-02-30', undefined],
    ['2019-13', undefined],
    [20190101, undefined],
  ])('parses %j', (value, expected) => {
    expect(parseFhirDate(value)?.toISOString()).toBe(expected);
  });
});
