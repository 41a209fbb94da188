import type { DatePrecision, DateRange } from './search-request.model';

/**
 * FHIR date, dateTime and instant forms, with the time zone optional because R4 search lets a
 * client leave it out. A `+` offset often arrives decoded as a space (an unencoded `+` in a query
 * string means space), so a space in the offset position is read as `+`.
 * https://hl7.org/fhir/R4/datatypes.html#dateTime
 */
const FHIR_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+\- ]\d{2}:\d{2})?)?)?)?$/;

const MINUTE_MS = 60_000;

/** An ISO instant of the years 0001 to 9999. */
const WITHIN_FOUR_DIGIT_YEARS = /^(?!0000)\d{4}-/;

export type ParsedFhirDate =
  | { readonly ok: true; readonly range: DateRange; readonly canonical: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Turns a FHIR date value into the `[start, end)` interval its precision implies: `2020` is the
 * whole year, `2020-02-13T08:00-05:00` the whole minute. https://hl7.org/fhir/R4/search.html#date
 * Values without an offset are read at `defaultOffsetMinutes` east of UTC.
 */
export function parseFhirDate(text: string, defaultOffsetMinutes = 0): ParsedFhirDate {
  const match = FHIR_DATE.exec(text);
  if (!match) {
    return { ok: false, reason: 'expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]][Z|±hh:mm]' };
  }
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fractionText, zoneText] = match;
  const year = Number(yearText);
  const month = monthText === undefined ? 1 : Number(monthText);
  const day = dayText === undefined ? 1 : Number(dayText);
  const hour = hourText === undefined ? 0 : Number(hourText);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);

  const fieldError = checkFields(year, month, day, hour, minute, second);
  if (fieldError) {
    return { ok: false, reason: fieldError };
  }
  const zone = zoneText === undefined ? undefined : zoneText.replace(' ', '+');
  const offsetMinutes = zone === undefined ? defaultOffsetMinutes : parseOffset(zone);
  if (offsetMinutes === undefined) {
    return { ok: false, reason: 'time-zone offset must be between -14:00 and +14:00' };
  }

  const millisecond = fractionText === undefined ? 0 : Number(fractionText.slice(0, 3).padEnd(3, '0'));
  const precision = precisionOf(monthText, dayText, minuteText, secondText, fractionText);
  const localStart = utcMillis(year, month, day, hour, minute, second, millisecond);
  const localEnd = endOf(precision, { year, month, day, localStart, fractionDigits: fractionText?.length ?? 0 });
  const shift = offsetMinutes * MINUTE_MS;
  const start = new Date(localStart - shift).toISOString();
  const end = new Date(localEnd - shift).toISOString();
  if (!WITHIN_FOUR_DIGIT_YEARS.test(start) || !WITHIN_FOUR_DIGIT_YEARS.test(end)) {
    // At the edges of the calendar an interval in UTC reaches year 0 or 10000, which an ISO instant
    // writes as `0000` or `+010000` and PostgreSQL does not read.
    return { ok: false, reason: 'the interval it stands for must lie between 0001-01-01 and 9999-12-31 UTC' };
  }
  return {
    ok: true,
    range: { start, end, precision },
    canonical: zoneText === undefined ? text : text.slice(0, text.length - zoneText.length) + zone,
  };
}

/**
 * A `date` or `dateTime` as a resource carries it (not a search value): `YYYY-MM-DD`, or
 * `YYYY-MM-DDThh:mm:ss[.fff]` with its time zone, which R4 requires once a time is given.
 * https://hl7.org/fhir/R4/datatypes.html#dateTime
 */
const RESOURCE_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}))?$/;

export type ParsedFhirInstant = { readonly ok: true; readonly instant: Date } | { readonly ok: false; readonly reason: string };

/**
 * The first instant of a day (`YYYY-MM-DD`, read in UTC) or a full dateTime, refusing what is not a
 * real FHIR date: year 0000, month 13, 30 February, 24:00, an offset beyond ±14:00. The same
 * calendar checks as search dates, so a date the API would refuse to search on is refused here too.
 */
export function parseFhirInstant(text: string): ParsedFhirInstant {
  const match = RESOURCE_DATE_TIME.exec(text);
  if (!match) return { ok: false, reason: 'expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm)' };
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fractionText, zoneText] = match;
  const [year, month, day] = [Number(yearText), Number(monthText), Number(dayText)];
  const [hour, minute, second] = [Number(hourText ?? 0), Number(minuteText ?? 0), Number(secondText ?? 0)];
  const fieldError = checkFields(year, month, day, hour, minute, second);
  if (fieldError) return { ok: false, reason: fieldError };
  const offsetMinutes = zoneText === undefined ? 0 : parseOffset(zoneText);
  if (offsetMinutes === undefined) return { ok: false, reason: 'time-zone offset must be between -14:00 and +14:00' };
  const millisecond = fractionText === undefined ? 0 : Number(fractionText.slice(0, 3).padEnd(3, '0'));
  return { ok: true, instant: new Date(utcMillis(year, month, day, hour, minute, second, millisecond) - offsetMinutes * MINUTE_MS) };
}

function checkFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): string | undefined {
  if (year === 0) {
    return 'year 0000 does not exist';
  }
  if (month < 1 || month > 12) {
    return 'month must be 01 to 12';
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    return `day must be 01 to ${daysInMonth(year, month)} for that month`;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return 'time must be between 00:00:00 and 23:59:59';
  }
  return undefined;
}

/** `Z`, `+hh:mm` or `-hh:mm` as minutes east of UTC; undefined when out of range. */
function parseOffset(zone: string): number | undefined {
  if (zone === 'Z') {
    return 0;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (minutes > 59 || hours * 60 + minutes > 14 * 60) {
    return undefined;
  }
  return sign * (hours * 60 + minutes);
}

function precisionOf(
  month: string | undefined,
  day: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  fraction: string | undefined,
): DatePrecision {
  if (fraction !== undefined) return 'millisecond';
  if (second !== undefined) return 'second';
  if (minute !== undefined) return 'minute';
  if (day !== undefined) return 'day';
  if (month !== undefined) return 'month';
  return 'year';
}

interface Start {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly localStart: number;
  readonly fractionDigits: number;
}

function endOf(precision: DatePrecision, start: Start): number {
  switch (precision) {
    case 'year':
      return utcMillis(start.year + 1, 1, 1, 0, 0, 0, 0);
    case 'month':
      return utcMillis(start.year, start.month + 1, 1, 0, 0, 0, 0);
    case 'day':
      return utcMillis(start.year, start.month, start.day + 1, 0, 0, 0, 0);
    case 'minute':
      return start.localStart + MINUTE_MS;
    case 'second':
      return start.localStart + 1000;
    case 'millisecond':
      // `.5` spans a tenth of a second; digits past the third are below what a Date can hold.
      return start.localStart + 10 ** Math.max(0, 3 - start.fractionDigits);
  }
}

/** Like Date.UTC, but without its mapping of years 0–99 to 1900–1999; months roll over. */
function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMillis(year, month + 1, 1, 0, 0, 0, 0) - 86_400_000).getUTCDate();
}
