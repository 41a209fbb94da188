import { businessDaysBetween, calendarDay, isBusinessDay, isReviewOverdue } from './business-days';
import { federalHolidays, observedHolidays } from './us-federal-holidays';

const NY = 'America/New_York';

describe(federalHolidays.name, () => {
  it('computes the eleven holidays of 2025 with their observed days (OPM calendar)', () => {
    expect(federalHolidays(2025).map((holiday) => holiday.observed)).toEqual([
      '2025-01-01',
      '2025-01-20',
      '2025-02-17',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-10-13',
      '2025-11-11',
      '2025-11-27',
      '2025-12-25',
    ]);
  });

  it('moves a Saturday holiday to Friday and a Sunday one to Monday', () => {
    const of = (year: number, name: string) => federalHolidays(year).find((holiday) => holiday.name.startsWith(name));
    // July 4, 2026 is a Saturday; Juneteenth 2022 a Sunday; Christmas 2022 a Sunday.
    expect(of(2026, 'Independence')).toEqual({ name: 'Independence Day', date: '2026-07-04', observed: '2026-07-03' });
    expect(of(2022, 'Juneteenth')?.observed).toBe('2022-06-20');
    expect(of(2022, 'Christmas')?.observed).toBe('2022-12-26');
    // Veterans Day 2023 fell on a Saturday.
    expect(of(2023, 'Veterans')?.observed).toBe('2023-11-10');
  });

  it('places the floating holidays on the right weekday of the month', () => {
    expect(federalHolidays(2026).map((holiday) => holiday.observed)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('has no Juneteenth before 2021', () => {
    expect(federalHolidays(2020).some((holiday) => holiday.name.startsWith('Juneteenth'))).toBe(false);
    expect(federalHolidays(2021).some((holiday) => holiday.name.startsWith('Juneteenth'))).toBe(true);
  });

  it("observes New Year's Day on a Saturday in the year before (2022 → 2021-12-31)", () => {
    expect(federalHolidays(2022)[0]).toEqual({ name: "New Year's Day", date: '2022-01-01', observed: '2021-12-31' });
    expect(observedHolidays(2021).has('2021-12-31')).toBe(true);
    expect(observedHolidays(2022).has('2021-12-31')).toBe(false);
  });
});

describe(isBusinessDay.name, () => {
  it.each([
    ['2026-11-23', true], // Monday
    ['2026-11-21', false], // Saturday
    ['2026-11-22', false], // Sunday
    ['2026-11-26', false], // Thanksgiving
    ['2026-11-27', true], // the Friday after Thanksgiving is not a federal holiday
    ['2026-07-03', false], // Independence Day observed
    ['2021-12-31', false], // New Year's Day 2022 observed
  ])('%s → %s', (day, expected) => {
    expect(isBusinessDay(day)).toBe(expected);
  });
});

describe(businessDaysBetween.name, () => {
  it('does not count the submission day, and counts the days after it', () => {
    const monday = new Date('2026-11-16T15:00:00Z');
    expect(businessDaysBetween(monday, new Date('2026-11-16T20:00:00Z'), NY)).toBe(0);
    expect(businessDaysBetween(monday, new Date('2026-11-17T15:00:00Z'), NY)).toBe(1);
    expect(businessDaysBetween(monday, new Date('2026-11-23T15:00:00Z'), NY)).toBe(5);
  });

  it('skips weekends and holidays: Thanksgiving week', () => {
    // Submitted Monday 2026-11-23; Thursday 26 is Thanksgiving.
    const submitted = new Date('2026-11-23T14:00:00Z');
    expect(businessDaysBetween(submitted, new Date('2026-11-30T14:00:00Z'), NY)).toBe(4);
    // Ten business days land on Tuesday 2026-12-08; overdue from Wednesday 2026-12-09.
    expect(businessDaysBetween(submitted, new Date('2026-12-08T14:00:00Z'), NY)).toBe(10);
    expect(isReviewOverdue(businessDaysBetween(submitted, new Date('2026-12-08T14:00:00Z'), NY))).toBe(false);
    expect(isReviewOverdue(businessDaysBetween(submitted, new Date('2026-12-09T14:00:00Z'), NY))).toBe(true);
  });

  it('counts across the year end with both holidays', () => {
    // Wednesday 2025-12-24 → Friday 2026-01-02: 26, 29, 30, 31 Dec and 2 Jan.
    expect(businessDaysBetween(new Date('2025-12-24T15:00:00Z'), new Date('2026-01-02T15:00:00Z'), NY)).toBe(5);
  });

  it('reads the calendar day in the plan time zone', () => {
    // 03:00 UTC on Saturday is still Friday evening in New York.
    expect(calendarDay(new Date('2026-11-21T03:00:00Z'), NY)).toBe('2026-11-20');
    expect(businessDaysBetween(new Date('2026-11-21T03:00:00Z'), new Date('2026-11-23T15:00:00Z'), NY)).toBe(1);
    expect(businessDaysBetween(new Date('2026-11-21T03:00:00Z'), new Date('2026-11-23T15:00:00Z'), 'UTC')).toBe(1);
    expect(businessDaysBetween(new Date('2026-11-20T15:00:00Z'), new Date('2026-11-21T03:00:00Z'), 'UTC')).toBe(0);
  });

  it('is zero when now is not after the start', () => {
    expect(businessDaysBetween(new Date('2026-11-23T15:00:00Z'), new Date('2026-11-20T15:00:00Z'), NY)).toBe(0);
  });
});
