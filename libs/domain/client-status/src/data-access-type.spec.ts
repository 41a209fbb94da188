import { addCalendarMonths, isDataAccessType, refreshableUntil } from './data-access-type';

describe('refreshableUntil', () => {
  it('ends a 13-month grant 13 calendar months after the authorization, to the millisecond', () => {
    expect(refreshableUntil('thirteen_month', new Date('2026-03-15T08:30:00.123Z'))?.toISOString()).toBe('2027-04-15T08:30:00.123Z');
  });

  it('gives research and one-time grants no refresh horizon', () => {
    expect(refreshableUntil('research', new Date('2026-03-15T00:00:00Z'))).toBeNull();
    expect(refreshableUntil('one_time', new Date('2026-03-15T00:00:00Z'))).toBeNull();
  });
});

describe('addCalendarMonths', () => {
  it.each([
    ['2026-01-31T12:00:00Z', 13, '2027-02-28T12:00:00.000Z'],
    ['2026-12-31T23:59:59Z', 13, '2028-01-31T23:59:59.000Z'],
    ['2027-01-29T00:00:00Z', 13, '2028-02-29T00:00:00.000Z'],
    ['2027-01-31T00:00:00Z', 1, '2027-02-28T00:00:00.000Z'],
    ['2028-02-29T00:00:00Z', 12, '2029-02-28T00:00:00.000Z'],
    ['2026-05-31T00:00:00Z', 13, '2027-06-30T00:00:00.000Z'],
  ])('%s + %i months = %s', (from, months, expected) => {
    expect(addCalendarMonths(new Date(from), months).toISOString()).toBe(expected);
  });

  it('does not alter its input', () => {
    const from = new Date('2026-01-31T00:00:00Z');
    addCalendarMonths(from, 13);
    expect(from.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });
});

describe('isDataAccessType', () => {
  it.each(['one_time', 'thirteen_month', 'research'])('accepts %s', (value) => expect(isDataAccessType(value)).toBe(true));
  it.each(['ONE_TIME', '13-month', '', null, 13, ['research']])('refuses %p', (value) => expect(isDataAccessType(value)).toBe(false));
});
