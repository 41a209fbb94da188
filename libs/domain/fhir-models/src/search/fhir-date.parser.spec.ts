import { parseFhirDate, parseFhirInstant } from './fhir-date.parser';

function rangeOf(text: string, defaultOffsetMinutes?: number) {
  const parsed = parseFhirDate(text, defaultOffsetMinutes);
  if (!parsed.ok) {
    throw new Error(`expected ${text} to parse: ${parsed.reason}`);
  }
  return parsed.range;
}

describe('parseFhirDate', () => {
  describe('precision sets the range', () => {
    it.each([
      ['2020', 'year', '2020-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'],
      ['2020-02', 'month', '2020-02-01T00:00:00.000Z', '2020-03-01T00:00:00.000Z'],
      ['2020-12', 'month', '2020-12-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'],
      ['2020-02-13', 'day', '2020-02-13T00:00:00.000Z', '2020-02-14T00:00:00.000Z'],
      ['2020-02-29', 'day', '2020-02-29T00:00:00.000Z', '2020-03-01T00:00:00.000Z'],
      ['2020-12-31', 'day', '2020-12-31T00:00:00.000Z', '2021-01-01T00:00:00.000Z'],
      ['2020-02-13T08:00Z', 'minute', '2020-02-13T08:00:00.000Z', '2020-02-13T08:01:00.000Z'],
      ['2020-02-13T08:00:00Z', 'second', '2020-02-13T08:00:00.000Z', '2020-02-13T08:00:01.000Z'],
      ['2020-02-13T08:00:00.5Z', 'millisecond', '2020-02-13T08:00:00.500Z', '2020-02-13T08:00:00.600Z'],
      ['2020-02-13T08:00:00.25Z', 'millisecond', '2020-02-13T08:00:00.250Z', '2020-02-13T08:00:00.260Z'],
      ['2020-02-13T08:00:00.257Z', 'millisecond', '2020-02-13T08:00:00.257Z', '2020-02-13T08:00:00.258Z'],
      ['2020-02-13T08:00:00.257123Z', 'millisecond', '2020-02-13T08:00:00.257Z', '2020-02-13T08:00:00.258Z'],
    ])('%s is a %s: [%s, %s)', (text, precision, start, end) => {
      expect(rangeOf(text)).toEqual({ precision, start, end });
    });

    it('reads years below 100 literally, not as 19xx', () => {
      expect(rangeOf('0099')).toMatchObject({ start: '0099-01-01T00:00:00.000Z', end: '0100-01-01T00:00:00.000Z' });
    });
  });

  describe('time zones', () => {
    it('shifts a negative offset to UTC (seed 002: gt2020-02-13T08:00:00-05:00)', () => {
      expect(rangeOf('2020-02-13T08:00:00-05:00')).toMatchObject({
        start: '2020-02-13T13:00:00.000Z',
        end: '2020-02-13T13:00:01.000Z',
      });
    });

    it('shifts a positive offset to UTC', () => {
      expect(rangeOf('2020-02-13T08:00:00+05:30').start).toBe('2020-02-13T02:30:00.000Z');
    });

    it('reads Z and +00:00 alike', () => {
      expect(rangeOf('2020-02-13T08:00:00Z')).toEqual(rangeOf('2020-02-13T08:00:00+00:00'));
    });

    it('reads a space in the offset as the + it was before URL decoding', () => {
      const parsed = parseFhirDate('2020-02-13T08:00:00 05:00');

      expect(parsed).toEqual({
        ok: true,
        range: { precision: 'second', start: '2020-02-13T03:00:00.000Z', end: '2020-02-13T03:00:01.000Z' },
        canonical: '2020-02-13T08:00:00+05:00',
      });
    });

    it('keeps the text as written as the canonical form when nothing needs repair', () => {
      expect(parseFhirDate('2020-02-13T08:00:00-05:00')).toMatchObject({ canonical: '2020-02-13T08:00:00-05:00' });
    });

    it('crosses a day boundary when the offset says so', () => {
      expect(rangeOf('2020-02-13T23:30-05:00').start).toBe('2020-02-14T04:30:00.000Z');
    });

    it('accepts the extreme offsets of ±14:00', () => {
      expect(rangeOf('2020-02-13T00:00+14:00').start).toBe('2020-02-12T10:00:00.000Z');
      expect(rangeOf('2020-02-13T00:00-14:00').start).toBe('2020-02-13T14:00:00.000Z');
    });

    it('uses UTC for values without an offset unless told otherwise', () => {
      expect(rangeOf('2020-02-13T08:00').start).toBe('2020-02-13T08:00:00.000Z');
      expect(rangeOf('2020-02-13').start).toBe('2020-02-13T00:00:00.000Z');
    });

    it('uses the configured offset for values without one, dates included', () => {
      expect(rangeOf('2020-02-13T08:00', -300).start).toBe('2020-02-13T13:00:00.000Z');
      expect(rangeOf('2020-02-13', -300)).toMatchObject({
        start: '2020-02-13T05:00:00.000Z',
        end: '2020-02-14T05:00:00.000Z',
      });
    });

    it('ignores the configured offset when the value has its own', () => {
      expect(rangeOf('2020-02-13T08:00Z', -300).start).toBe('2020-02-13T08:00:00.000Z');
    });
  });

  describe('invalid values', () => {
    it.each([
      ['', 'empty'],
      ['20', 'short year'],
      ['20200213', 'no separators'],
      ['2020-2-13', 'one-digit month'],
      ['2020-02-13T08', 'hour without minutes'],
      ['2020-02-13T8:00Z', 'one-digit hour'],
      ['2020-02-13 08:00Z', 'space instead of T'],
      ['2020-02-13Z', 'zone on a date'],
      ['2020-02-13T08:00:00+0500', 'offset without colon'],
      ['2020-02-13T08:00:00.Z', 'empty fraction'],
      ['2020-02-13T08:00:00-05:00 ', 'trailing space'],
      ['13/02/2020', 'another format'],
      ['yesterday', 'words'],
    ])('refuses %j (%s)', (text) => {
      expect(parseFhirDate(text)).toMatchObject({ ok: false });
    });

    it.each([
      ['0000', 'year 0000 does not exist'],
      ['2020-00', 'month must be 01 to 12'],
      ['2020-13', 'month must be 01 to 12'],
      ['2020-02-30', 'day must be 01 to 29 for that month'],
      ['2019-02-29', 'day must be 01 to 28 for that month'],
      ['2020-04-31', 'day must be 01 to 30 for that month'],
      ['2020-01-00', 'day must be 01 to 31 for that month'],
      ['2020-02-13T24:00Z', 'time must be between 00:00:00 and 23:59:59'],
      ['2020-02-13T08:60Z', 'time must be between 00:00:00 and 23:59:59'],
      ['2020-02-13T08:00:60Z', 'time must be between 00:00:00 and 23:59:59'],
      ['2020-02-13T08:00+14:30', 'time-zone offset must be between -14:00 and +14:00'],
      ['2020-02-13T08:00-15:00', 'time-zone offset must be between -14:00 and +14:00'],
      ['2020-02-13T08:00+05:60', 'time-zone offset must be between -14:00 and +14:00'],
    ])('refuses %s: %s', (text, reason) => {
      expect(parseFhirDate(text)).toEqual({ ok: false, reason });
    });

    it.each([
      ['9999', 'the year 9999 ends at 10000-01-01'],
      ['9999-12-31', 'its last day ends at 10000-01-01'],
      ['9999-12-31T23:00-14:00', 'late on the last day, west of UTC'],
      ['0001-01-01T00:00:00+14:00', 'the first instant, east of UTC'],
      ['0001', 'read at a default offset east of UTC'],
    ])('refuses %s (%s): the store holds years 0001 to 9999', (text) => {
      expect(parseFhirDate(text, text === '0001' ? 60 : 0)).toEqual({ ok: false, reason: 'the interval it stands for must lie between 0001-01-01 and 9999-12-31 UTC' });
    });

    it('accepts the first and last whole days in UTC', () => {
      expect(parseFhirDate('0001-01-01')).toMatchObject({ ok: true, range: { start: '0001-01-01T00:00:00.000Z' } });
      expect(parseFhirDate('9999-12-30')).toMatchObject({ ok: true, range: { end: '9999-12-31T00:00:00.000Z' } });
    });
  });
});

describe(parseFhirInstant.name, () => {
  it.each([
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['9999-12-31', '9999-12-31T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ['2026-01-01T23:59:59.999999+05:30', '2026-01-01T18:29:59.999Z'],
    ['2026-06-30T20:00:00-14:00', '2026-07-01T10:00:00.000Z'],
  ])('reads %s as %s', (text, instant) => {
    const parsed = parseFhirInstant(text);
    expect(parsed.ok && parsed.instant.toISOString()).toBe(instant);
  });

  it.each([
    ['0000-01-01', 'year 0000 does not exist'],
    ['0000-12-31T23:59:59Z', 'year 0000 does not exist'],
    ['2026-13-01', 'month must be 01 to 12'],
    ['2026-00-10', 'month must be 01 to 12'],
    ['2023-02-29', 'day must be 01 to 28 for that month'],
    ['2026-02-30', 'day must be 01 to 28 for that month'],
    ['2026-04-31', 'day must be 01 to 30 for that month'],
    ['2026-01-00', 'day must be 01 to 31 for that month'],
    ['2026-01-01T24:00:00Z', 'time must be between 00:00:00 and 23:59:59'],
    ['2026-01-01T23:60:00Z', 'time must be between 00:00:00 and 23:59:59'],
    ['2026-01-01T23:59:60Z', 'time must be between 00:00:00 and 23:59:59'],
    ['2026-01-01T10:00:00+14:30', 'time-zone offset must be between -14:00 and +14:00'],
  ])('refuses %s: %s', (text, reason) => {
    expect(parseFhirInstant(text)).toEqual({ ok: false, reason });
  });

  it.each(['2026', '2026-01', '2026-01-01T10:00:00', '2026-01-01T10:00Z', '2026-1-01', ' 2026-01-01', '2026-01-01 10:00:00Z', '+02026-01-01', '2026-01-01T10:00:00 05:00'])(
    'refuses %p, which is not a full date or dateTime with its zone',
    (text) => {
      expect(parseFhirInstant(text)).toEqual({ ok: false, reason: 'expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm)' });
    },
  );
});
