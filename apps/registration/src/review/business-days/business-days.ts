import { isoDate, observedHolidays } from './us-federal-holidays';

/**
 * The review clock of seed 001: "10 business days to approve your application from the time
 * registration is submitted". Business days are Monday to Friday except observed US federal
 * holidays, counted in the plan's time zone so that an application sent at 11 pm Eastern on a
 * Friday does not start its clock on a UTC Saturday.
 */
export const REVIEW_BUSINESS_DAYS = 10;

const holidayCache = new Map<number, Set<string>>();

/** Whether a calendar day (`YYYY-MM-DD`) is a business day. */
export function isBusinessDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const year = date.getUTCFullYear();
  let holidays = holidayCache.get(year);
  if (!holidays) {
    holidays = observedHolidays(year);
    holidayCache.set(year, holidays);
  }
  return !holidays.has(day);
}

/** The calendar day of an instant in an IANA time zone, as `YYYY-MM-DD`. */
export function calendarDay(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/**
 * Business days that have fully or partly elapsed after the day of `start`, up to and including
 * the day of `now`: submitted on a Monday, it is 1 on Tuesday; the submission day itself does
 * not count, as a deadline "within 10 business days" is read.
 */
export function businessDaysBetween(start: Date, now: Date, timeZone: string): number {
  const first = calendarDay(start, timeZone);
  const last = calendarDay(now, timeZone);
  if (last <= first) return 0;
  let count = 0;
  let cursor = new Date(`${first}T00:00:00Z`);
  const end = new Date(`${last}T00:00:00Z`);
  while (cursor < end) {
    cursor = new Date(cursor.getTime() + 86_400_000);
    if (isBusinessDay(isoDate(cursor))) count += 1;
  }
  return count;
}

/** Overdue once more business days have passed than the plan allows itself. */
export function isReviewOverdue(businessDaysWaiting: number, limit = REVIEW_BUSINESS_DAYS): boolean {
  return businessDaysWaiting > limit;
}
