import { BLUE_BUTTON_EOB_TYPE_SYSTEM, EOB_TYPE_CODES } from './definitions/carin-bb.search-parameters';
import type { SearchParameterDefinition, SearchParameterType } from './search-parameter.model';
import { SEARCH_PREFIXES, type SearchClause, type SearchError } from './search-request.model';
import { parseClause, splitUnescaped, unescape, type ParsedClause } from './search-value.parser';

function definition(type: SearchParameterType, extra: Partial<SearchParameterDefinition> = {}): SearchParameterDefinition {
  return { code: 'param', type, base: ['Observation'], expression: 'Observation.param', url: 'http://example.org/param', ...extra };
}

const eobType = definition('token', {
  code: 'type',
  allowedValues: { systems: [BLUE_BUTTON_EOB_TYPE_SYSTEM], codes: EOB_TYPE_CODES },
});
const patient = definition('reference', { code: 'patient', target: ['Patient'] });
const provider = definition('reference', { code: 'provider', target: ['Practitioner', 'Organization'] });

function parse(def: SearchParameterDefinition, value: string, modifier?: string): ParsedClause {
  const name = modifier === undefined ? def.code : `${def.code}:${modifier}`;
  const parsed = parseClause({ name, modifier, value, definition: def, defaultTimezoneOffsetMinutes: 0 });
  if (!parsed.ok) {
    throw new Error(`expected ${name}=${value} to parse: ${parsed.error.diagnostics}`);
  }
  return parsed.value;
}

function clause(def: SearchParameterDefinition, value: string, modifier?: string): SearchClause {
  return parse(def, value, modifier).clause;
}

function error(def: SearchParameterDefinition, value: string, modifier?: string): SearchError {
  const name = modifier === undefined ? def.code : `${def.code}:${modifier}`;
  const parsed = parseClause({ name, modifier, value, definition: def, defaultTimezoneOffsetMinutes: 0 });
  if (parsed.ok) {
    throw new Error(`expected ${name}=${value} to be refused`);
  }
  return parsed.error;
}

describe('parseClause', () => {
  it('keeps the definition and the name as written on the clause', () => {
    expect(clause(patient, '123')).toMatchObject({ parameter: patient, name: 'patient' });
    expect(clause(eobType, 'pde', 'not')).toMatchObject({ parameter: eobType, name: 'type:not' });
  });

  it('refuses an empty member of a comma list', () => {
    expect(error(eobType, 'carrier,,dme')).toEqual({
      code: 'invalid',
      parameter: 'type',
      diagnostics: "'carrier,,dme' has an empty value in its comma-separated list",
    });
  });

  it.each<SearchParameterType>(['composite', 'special'])('refuses %s parameters as not supported', (type) => {
    expect(error(definition(type), 'x')).toMatchObject({ code: 'not-supported', parameter: 'param' });
  });

  describe(':missing', () => {
    it.each<SearchParameterType>(['token', 'string', 'reference', 'date', 'number', 'quantity', 'uri'])(
      'applies to %s parameters',
      (type) => {
        expect(clause(definition(type), 'true', 'missing')).toMatchObject({ kind: 'missing', missing: true });
        expect(clause(definition(type), 'false', 'missing')).toMatchObject({ kind: 'missing', missing: false });
      },
    );

    it('takes only true or false', () => {
      expect(error(patient, 'yes', 'missing')).toMatchObject({ code: 'invalid', parameter: 'patient:missing' });
    });
  });

  describe('token', () => {
    const identifier = definition('token', { code: 'identifier' });

    it.each([
      ['code', 'abc', { code: 'abc' }],
      ['system|code', 'http://sys|abc', { system: 'http://sys', code: 'abc' }],
      ['|code (no system)', '|abc', { system: '', code: 'abc' }],
      ['system| (any code)', 'http://sys|', { system: 'http://sys' }],
      ['escaped pipe', 'a\\|b', { code: 'a|b' }],
      ['escaped comma', 'a\\,b', { code: 'a,b' }],
    ])('reads %s', (_form, value, token) => {
      expect(clause(identifier, value)).toEqual({
        kind: 'token',
        not: false,
        values: [token],
        parameter: identifier,
        name: 'identifier',
      });
    });

    it('reads a comma list as alternatives', () => {
      expect(clause(identifier, 'a,http://s|b,|c')).toMatchObject({
        values: [{ code: 'a' }, { system: 'http://s', code: 'b' }, { system: '', code: 'c' }],
      });
    });

    it.each(['|', 'a|b|c'])('refuses %j', (value) => {
      expect(error(identifier, value)).toMatchObject({ code: 'invalid', parameter: 'identifier' });
    });

    it('supports :not', () => {
      expect(clause(identifier, 'a,b', 'not')).toMatchObject({ kind: 'token', not: true, values: [{ code: 'a' }, { code: 'b' }] });
    });

    it.each(['text', 'in', 'not-in', 'above', 'below', 'of-type', 'exact', 'Patient'])(
      'refuses the :%s modifier',
      (modifier) => {
        expect(error(identifier, 'a', modifier)).toEqual({
          code: 'not-supported',
          parameter: `identifier:${modifier}`,
          diagnostics: `Modifier ':${modifier}' is not supported on token parameter 'identifier'`,
        });
      },
    );

    describe('with a closed vocabulary (ExplanationOfBenefit type)', () => {
      it.each(EOB_TYPE_CODES)('accepts %s', (code) => {
        expect(clause(eobType, code)).toMatchObject({ values: [{ code }] });
      });

      it('accepts every claim type at once (seed 002)', () => {
        expect(clause(eobType, 'carrier,dme,hha,hospice,inpatient,outpatient,snf')).toMatchObject({
          values: ['carrier', 'dme', 'hha', 'hospice', 'inpatient', 'outpatient', 'snf'].map((code) => ({ code })),
        });
      });

      it('accepts an accepted system, with or without a code', () => {
        expect(clause(eobType, `${BLUE_BUTTON_EOB_TYPE_SYSTEM}|pde`)).toMatchObject({
          values: [{ system: BLUE_BUTTON_EOB_TYPE_SYSTEM, code: 'pde' }],
        });
        expect(clause(eobType, `${BLUE_BUTTON_EOB_TYPE_SYSTEM}|`)).toMatchObject({
          values: [{ system: BLUE_BUTTON_EOB_TYPE_SYSTEM }],
        });
      });

      it.each([
        ['the wrong case', 'CARRIER'],
        ['an unknown code', 'foo'],
        ['one bad code in a list', 'carrier,Dme'],
        ['a prefix, which tokens do not take', 'eqcarrier'],
        ['a code under an accepted system', `${BLUE_BUTTON_EOB_TYPE_SYSTEM}|PDE`],
        ['an unknown system', 'https://example.org/eob-type|pde'],
        ['the explicit "no system" form', '|carrier'],
      ])('refuses %s as "not a valid value"', (_case, value) => {
        const refused = error(eobType, value);

        expect(refused).toMatchObject({ code: 'code-invalid', parameter: 'type' });
        expect(refused.diagnostics).toContain('not a valid value');
      });

      it('names the value and the expected codes', () => {
        expect(error(eobType, 'CARRIER').diagnostics).toBe(
          "'CARRIER' is not a valid value for type; expected one of carrier, pde, dme, hha, hospice, inpatient, outpatient, snf (codes are case-sensitive)",
        );
      });

      it('checks values under :not too', () => {
        expect(error(eobType, 'CARRIER', 'not').diagnostics).toContain('not a valid value');
      });
    });
  });

  describe('string', () => {
    const name = definition('string', { code: 'name' });

    it('matches by prefix by default, each comma value an alternative', () => {
      expect(clause(name, 'Doe,Jane')).toMatchObject({ kind: 'string', match: 'starts-with', values: ['Doe', 'Jane'] });
    });

    it.each([
      ['exact', 'exact'],
      ['contains', 'contains'],
    ])('supports :%s', (modifier, match) => {
      expect(clause(name, 'Doe', modifier)).toMatchObject({ kind: 'string', match, values: ['Doe'] });
    });

    it('unescapes commas and backslashes', () => {
      expect(clause(name, 'Doe\\, Jane,a\\\\b')).toMatchObject({ values: ['Doe, Jane', 'a\\b'] });
    });

    it.each(['text', 'not', 'below'])('refuses :%s', (modifier) => {
      expect(error(name, 'Doe', modifier)).toMatchObject({ code: 'not-supported', parameter: `name:${modifier}` });
    });
  });

  describe('reference', () => {
    it.each([
      ['an id, typed by the only target', '123', { resourceType: 'Patient', id: '123' }],
      ['type/id (seed 002)', 'Patient/-19990000000001', { resourceType: 'Patient', id: '-19990000000001' }],
      [
        'an absolute URL',
        'https://apiservicessbext.bcbsnc.com/fhir/sb/R4/patientaccess/Patient/-20140000008325',
        {
          resourceType: 'Patient',
          id: '-20140000008325',
          url: 'https://apiservicessbext.bcbsnc.com/fhir/sb/R4/patientaccess/Patient/-20140000008325',
        },
      ],
      ['an id with dots and dashes', 'a.b-C9', { resourceType: 'Patient', id: 'a.b-C9' }],
    ])('reads %s', (_form, value, reference) => {
      expect(clause(patient, value)).toMatchObject({ kind: 'reference', values: [reference] });
    });

    it('leaves the type open for a bare id when the parameter has several targets', () => {
      expect(clause(provider, '123')).toEqual({ kind: 'reference', values: [{ id: '123' }], parameter: provider, name: 'provider' });
    });

    it('reads a comma list as alternatives', () => {
      expect(clause(provider, 'Practitioner/1,Organization/2')).toMatchObject({
        values: [
          { resourceType: 'Practitioner', id: '1' },
          { resourceType: 'Organization', id: '2' },
        ],
      });
    });

    it('takes the type from a type modifier', () => {
      expect(clause(provider, '7', 'Organization')).toMatchObject({ values: [{ resourceType: 'Organization', id: '7' }] });
    });

    it.each([
      ['a type the parameter does not target', 'Practitioner/1', undefined, 'patient refers to Patient, not \'Practitioner\''],
      ['a URL to a type it does not target', 'https://h/fhir/Organization/1', undefined, "patient refers to Patient, not 'Organization'"],
      ['a type modifier it does not target', '1', 'Practitioner', "patient refers to Patient, not 'Practitioner'"],
      ['a type modifier with a typed value', 'Patient/1', 'Patient', "'Patient/1' is not a valid resource id"],
      ['a versioned reference', 'Patient/1/_history/2', undefined, "'Patient/1/_history/2' is not a reference; use [id], [type]/[id] or an absolute URL"],
      ['a lower-case type', 'patient/1', undefined, "'patient/1' is not a reference; use [id], [type]/[id] or an absolute URL"],
      ['an empty id', 'Patient/', undefined, "'' is not a valid resource id"],
      ['an id with forbidden characters', 'a b', undefined, "'a b' is not a valid resource id"],
      ['an id longer than 64 characters', 'x'.repeat(65), undefined, `'${'x'.repeat(65)}' is not a valid resource id`],
      ['a URL without type and id', 'https://host/', undefined, "'https://host/' is not a reference; use [id], [type]/[id] or an absolute URL"],
      ['a malformed URL', 'https://[oops/Patient/1', undefined, "'https://[oops/Patient/1' is not a reference; use [id], [type]/[id] or an absolute URL"],
    ])('refuses %s', (_case, value, modifier, diagnostics) => {
      expect(error(patient, value, modifier)).toMatchObject({ code: 'invalid', diagnostics });
    });

    it.each(['identifier', 'below', 'text'])('refuses the :%s modifier', (modifier) => {
      expect(error(patient, '1', modifier)).toMatchObject({ code: 'not-supported', parameter: `patient:${modifier}` });
    });
  });

  describe('date', () => {
    const date = definition('date', { code: 'date' });

    it('defaults to eq', () => {
      expect(clause(date, '2020-02-13')).toEqual({
        kind: 'date',
        parameter: date,
        name: 'date',
        values: [{ prefix: 'eq', range: { precision: 'day', start: '2020-02-13T00:00:00.000Z', end: '2020-02-14T00:00:00.000Z' } }],
      });
    });

    it.each(SEARCH_PREFIXES)('accepts the %s prefix', (prefix) => {
      expect(clause(date, `${prefix}2020-02-13T08:00:00-05:00`)).toMatchObject({
        values: [{ prefix, range: { start: '2020-02-13T13:00:00.000Z' } }],
      });
    });

    it.each(SEARCH_PREFIXES)('refuses the %s prefix on an invalid date', (prefix) => {
      expect(error(date, `${prefix}2020-02-30`)).toEqual({
        code: 'invalid',
        parameter: 'date',
        diagnostics: `'${prefix}2020-02-30' is not a valid date: day must be 01 to 29 for that month`,
      });
    });

    it.each([
      ['xx2020', "'xx2020' has an unknown prefix 'xx'; use one of eq, ne, gt, lt, ge, le, sa, eb, ap"],
      ['gte2020', "'gte2020' has an unknown prefix 'gte'; use one of eq, ne, gt, lt, ge, le, sa, eb, ap"],
      ['g2020', "'g2020' has an unknown prefix 'g'; use one of eq, ne, gt, lt, ge, le, sa, eb, ap"],
    ])('refuses the bad prefix in %s', (value, diagnostics) => {
      expect(error(date, value)).toEqual({ code: 'invalid', parameter: 'date', diagnostics });
    });

    it('refuses an upper-case prefix: prefixes are lower case', () => {
      expect(error(date, 'GT2020').diagnostics).toMatch(/^'GT2020' is not a valid date/);
    });

    it('refuses a prefix with no date', () => {
      expect(error(date, 'gt').diagnostics).toMatch(/^'gt' is not a valid date/);
    });

    it('reads a comma list as alternatives', () => {
      expect(clause(date, 'lt2019,ge2021-06')).toMatchObject({
        values: [
          { prefix: 'lt', range: { precision: 'year', start: '2019-01-01T00:00:00.000Z' } },
          { prefix: 'ge', range: { precision: 'month', start: '2021-06-01T00:00:00.000Z' } },
        ],
      });
    });

    it('restores a + that arrived as a space, in the canonical text links repeat', () => {
      const parsed = parse(date, 'gt2020-02-13T08:00:00 05:00,lt2020-03');

      expect(parsed.canonical).toBe('gt2020-02-13T08:00:00+05:00,lt2020-03');
      expect(parsed.clause).toMatchObject({ values: [{ range: { start: '2020-02-13T03:00:00.000Z' } }, {}] });
    });

    it('reads values without an offset at the configured one', () => {
      const parsed = parseClause({ name: 'date', value: '2020-02-13', definition: date, defaultTimezoneOffsetMinutes: -300 });
      expect(parsed).toMatchObject({ ok: true, value: { clause: { values: [{ range: { start: '2020-02-13T05:00:00.000Z' } }] } } });
    });

    it.each(['exact', 'missing:x', 'not'])('refuses the :%s modifier', (modifier) => {
      expect(error(date, '2020', modifier)).toMatchObject({ code: 'not-supported' });
    });
  });

  describe('number', () => {
    const number = definition('number', { code: 'value' });

    it.each(SEARCH_PREFIXES)('accepts the %s prefix', (prefix) => {
      expect(clause(number, `${prefix}-1.5`)).toMatchObject({ kind: 'number', values: [{ prefix, value: -1.5 }] });
    });

    it.each(SEARCH_PREFIXES)('refuses the %s prefix on a non-number', (prefix) => {
      expect(error(number, `${prefix}1.5.2`)).toEqual({
        code: 'invalid',
        parameter: 'value',
        diagnostics: `'${prefix}1.5.2' is not a valid number`,
      });
    });

    it.each([
      ['100', 100],
      ['0.5', 0.5],
      ['1e2', 100],
      ['2.5E-1', 0.25],
    ])('reads %s', (value, expected) => {
      expect(clause(number, value)).toMatchObject({ values: [{ prefix: 'eq', value: expected }] });
    });

    it.each(['abc', '01', '.5', '1.', '1e', '--1', 'xx1'])('refuses %j', (value) => {
      expect(error(number, value)).toMatchObject({ code: 'invalid', parameter: 'value' });
    });
  });

  describe('quantity', () => {
    const quantity = definition('quantity', { code: 'value-quantity' });

    it.each(SEARCH_PREFIXES)('accepts the %s prefix', (prefix) => {
      expect(clause(quantity, `${prefix}5.4|http://unitsofmeasure.org|mg`)).toMatchObject({
        kind: 'quantity',
        values: [{ prefix, value: 5.4, system: 'http://unitsofmeasure.org', code: 'mg' }],
      });
    });

    it.each(SEARCH_PREFIXES)('refuses the %s prefix on a non-number', (prefix) => {
      expect(error(quantity, `${prefix}five|http://unitsofmeasure.org|mg`)).toMatchObject({ code: 'invalid' });
    });

    it('reads a bare number and the any-system form', () => {
      expect(clause(quantity, '5.4,le5||mg')).toMatchObject({
        values: [
          { prefix: 'eq', value: 5.4 },
          { prefix: 'le', value: 5, system: '', code: 'mg' },
        ],
      });
    });

    it.each(['5.4|mg', '5.4|http://unitsofmeasure.org|', '5|a|b|c', 'mg'])('refuses %j', (value) => {
      expect(error(quantity, value)).toMatchObject({ code: 'invalid', parameter: 'value-quantity' });
    });
  });

  describe('uri', () => {
    const uri = definition('uri', { code: 'url' });

    it('reads each comma value, unescaped', () => {
      expect(clause(uri, 'http://a/b,urn:x\\,y')).toMatchObject({ kind: 'uri', values: ['http://a/b', 'urn:x,y'] });
    });

    it.each(['below', 'above'])('refuses the :%s modifier', (modifier) => {
      expect(error(uri, 'http://a', modifier)).toMatchObject({ code: 'not-supported' });
    });
  });
});

describe('escaping', () => {
  it('splits on separators that are not escaped, keeping the escapes', () => {
    expect(splitUnescaped('a,b\\,c,d', ',')).toEqual(['a', 'b\\,c', 'd']);
    expect(splitUnescaped('s\\|x|c', '|')).toEqual(['s\\|x', 'c']);
    expect(splitUnescaped('a\\\\,b', ',')).toEqual(['a\\\\', 'b']);
    expect(splitUnescaped('', ',')).toEqual(['']);
  });

  it('removes the four FHIR escapes and keeps any other backslash', () => {
    expect(unescape('a\\,b\\|c\\$d\\\\e\\nf')).toBe('a,b|c$d\\e\\nf');
  });
});
