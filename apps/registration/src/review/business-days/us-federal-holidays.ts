/**
 * US federal holidays (5 U.S.C. § 6103), computed rather than listed so the review clock never
 * runs out of calendar. A holiday falling on a Saturday is observed the Friday before, one on a
 * Sunday the Monday after (Executive Order 11582). Dates are calendar days, written `YYYY-MM-DD`.
 */
export interface FederalHoliday {
  readonly name: string;
  /** The statutory date. */
  readonly date: string;
  /** The day federal offices close; differs from `date` on weekends. */
  readonly observed: string;
}

const JANUARY = 0;
const FEBRUARY = 1;
const MAY = 4;
const JUNE = 5;
const JULY = 6;
const SEPTEMBER = 8;
const OCTOBER = 9;
const NOVEMBER = 10;
const DECEMBER = 11;
const MONDAY = 1;
const THURSDAY = 4;

export function federalHolidays(year: number): FederalHoliday[] {
  const holidays: [string, Date][] = [
    ["New Year's Day", utc(year, JANUARY, 1)],
    ['Birthday of Martin Luther King, Jr.', nthWeekday(year, JANUARY, MONDAY, 3)],
    ["Washington's Birthday", nthWeekday(year, FEBRUARY, MONDAY, 3)],
    ['Memorial Day', lastWeekday(year, MAY, MONDAY)],
    ['Juneteenth National Independence Day', utc(year, JUNE, 19)],
    ['Independence Day', utc(year, JULY, 4)],
    ['Labor Day', nthWeekday(year, SEPTEMBER, MONDAY, 1)],
    ['Columbus Day', nthWeekday(year, OCTOBER, MONDAY, 2)],
    ['Veterans Day', utc(year, NOVEMBER, 11)],
    ['Thanksgiving Day', nthWeekday(year, NOVEMBER, THURSDAY, 4)],
    ['Christmas Day', utc(year, DECEMBER, 25)],
  ];
  return holidays
    // Juneteenth became a federal holiday in 2021 (Pub. L. 117-17).
    .filter(([name]) => !(name.startsWith('Juneteenth') && year < 2021))
    .map(([name, date]) => ({ name, date: isoDate(date), observed: isoDate(observedDay(date)) }));
}

/**
 * Every observed holiday that lands in `year`. New Year's Day on a Saturday is observed on
 * December 31 of the year before, so the following year's list is consulted too.
 */
export function observedHolidays(year: number): Set<string> {
  const days = [...federalHolidays(year), ...federalHolidays(year + 1)]
    .map((holiday) => holiday.observed)
    .filter((day) => day.startsWith(`${year}-`));
  return new Set(days);
}

function observedDay(date: Date): Date {
  const weekday = date.getUTCDay();
  if (weekday === 6) return addDays(date, -1);
  if (weekday === 0) return addDays(date, 1);
  return date;
}

function nthWeekday(year: number, month: number, weekday: number, n: number): Date {
  const first = utc(year, month, 1);
  const offset = (weekday - first.getUTCDay() + 7) % 7;
  return utc(year, month, 1 + offset + 7 * (n - 1));
}

function lastWeekday(year: number, month: number, weekday: number): Date {
  const last = utc(year, month + 1, 0);
  const offset = (last.getUTCDay() - weekday + 7) % 7;
  return addDays(last, -offset);
}

function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
