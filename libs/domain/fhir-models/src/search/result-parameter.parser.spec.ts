import { patientAccessSearchParameters } from './definitions/patient-access.search-parameters';
import { createSearchParameterRegistry } from './search-parameter.registry';
import type { SearchError, SearchParserOptions, SearchRequest } from './search-request.model';
import { parseSearchRequest, type SearchQuery } from './search-request.parser';

const registry = createSearchParameterRegistry(patientAccessSearchParameters());

function parsed(resourceType: string, query: SearchQuery, options?: SearchParserOptions): SearchRequest {
  const result = parseSearchRequest(resourceType, query, registry, options);
  if (!result.ok) {
    throw new Error(`expected the search to parse: ${result.error.diagnostics}`);
  }
  return result.request;
}

function refused(resourceType: string, query: SearchQuery): SearchError {
  const result = parseSearchRequest(resourceType, query, registry);
  if (result.ok) {
    throw new Error('expected the search to be refused');
  }
  return result.error;
}

const codes = (request: SearchRequest, key: 'include' | 'revInclude') =>
  request[key].map((target) => ({
    sourceType: target.sourceType,
    codes: target.parameters.map((parameter) => parameter.code),
    targetType: target.targetType,
  }));

describe('search result parameters', () => {
  describe('_count', () => {
    it.each([
      ['0', 0],
      ['1', 1],
      ['50', 50],
      ['100', 100],
    ])('takes _count=%s', (value, count) => {
      expect(parsed('Patient', { _count: value }).count).toBe(count);
    });

    it('lowers a _count above the maximum to the maximum', () => {
      expect(parsed('Patient', { _count: '101' }).count).toBe(100);
      expect(parsed('Patient', { _count: '1000000' }).count).toBe(100);
      expect(parsed('Patient', { _count: '60' }, { maxCount: 50 }).count).toBe(50);
    });

    it.each(['-1', 'ten', '1.5', '+5', ' 5', '1e3', '0x10', '99999999999999999999'])('refuses _count=%j', (value) => {
      expect(refused('Patient', { _count: value })).toEqual({
        code: 'invalid',
        parameter: '_count',
        diagnostics: `'${value}' is not a valid value for _count; use a non-negative integer`,
      });
    });

    it('refuses a second _count', () => {
      expect(refused('Patient', { _count: ['5', '10'] })).toEqual({
        code: 'invalid',
        parameter: '_count',
        diagnostics: '_count may appear only once',
      });
    });
  });

  describe('startIndex', () => {
    it.each([
      ['0', 0],
      ['20', 20],
      ['148', 148],
    ])('takes startIndex=%s', (value, startIndex) => {
      expect(parsed('ExplanationOfBenefit', { startIndex: value }).startIndex).toBe(startIndex);
    });

    it.each(['-10', 'first', '1.0', ''.padEnd(21, '9')])('refuses startIndex=%j', (value) => {
      expect(refused('ExplanationOfBenefit', { startIndex: value })).toMatchObject({
        code: 'invalid',
        parameter: 'startIndex',
      });
    });

    it('refuses a second startIndex', () => {
      expect(refused('ExplanationOfBenefit', { startIndex: ['0', '10'] }).diagnostics).toBe(
        'startIndex may appear only once',
      );
    });
  });

  describe('_format', () => {
    it.each([
      ['json', 'application/fhir+json', 'json'],
      ['application/fhir+json', 'application/fhir+json', 'application/fhir+json'],
      ['application/json+fhir', 'application/fhir+json', 'application/json+fhir'],
      ['application/json fhir', 'application/fhir+json', 'application/json+fhir'],
      ['application/fhir json', 'application/fhir+json', 'application/fhir+json'],
      ['APPLICATION/FHIR+JSON', 'application/fhir+json', 'APPLICATION/FHIR+JSON'],
      ['application/fhir+json; fhirVersion=4.0', 'application/fhir+json', 'application/fhir+json;+fhirVersion=4.0'],
      ['application/json', 'application/json', 'application/json'],
    ])('takes _format=%j, answering in %s', (value, format, canonical) => {
      const request = parsed('Patient', { _format: value });

      expect(request.format).toBe(format);
      expect(request.linkParameters).toEqual([{ name: '_format', value: canonical }]);
    });

    it.each(['xml', 'application/fhir+xml', 'text/html', 'html', 'ttl', 'application/xml+fhir'])(
      'refuses _format=%s as not supported',
      (value) => {
        expect(refused('Patient', { _format: value })).toEqual({
          code: 'not-supported',
          parameter: '_format',
          diagnostics: `_format '${value}' is not supported; use json, application/json or application/fhir+json`,
        });
      },
    );
  });

  describe('_include', () => {
    it('follows every ExplanationOfBenefit reference for ExplanationOfBenefit:*', () => {
      expect(codes(parsed('ExplanationOfBenefit', { _include: 'ExplanationOfBenefit:*' }), 'include')).toEqual([
        {
          sourceType: 'ExplanationOfBenefit',
          codes: ['patient', 'provider', 'care-team', 'coverage', 'insurer'],
          targetType: undefined,
        },
      ]);
    });

    it.each(['patient', 'provider', 'care-team', 'coverage', 'insurer'])('takes ExplanationOfBenefit:%s', (code) => {
      const request = parsed('ExplanationOfBenefit', { _include: `ExplanationOfBenefit:${code}` });

      expect(codes(request, 'include')).toEqual([{ sourceType: 'ExplanationOfBenefit', codes: [code], targetType: undefined }]);
      expect(request.linkParameters).toEqual([{ name: '_include', value: `ExplanationOfBenefit:${code}` }]);
    });

    it('takes several, and a target type', () => {
      const request = parsed('ExplanationOfBenefit', {
        _include: ['ExplanationOfBenefit:patient', 'ExplanationOfBenefit:provider:Organization'],
      });

      expect(codes(request, 'include')).toEqual([
        { sourceType: 'ExplanationOfBenefit', codes: ['patient'], targetType: undefined },
        { sourceType: 'ExplanationOfBenefit', codes: ['provider'], targetType: 'Organization' },
      ]);
    });

    it('takes Coverage:payor on a Coverage search', () => {
      expect(codes(parsed('Coverage', { _include: 'Coverage:payor' }), 'include')).toEqual([
        { sourceType: 'Coverage', codes: ['payor'], targetType: undefined },
      ]);
    });

    it.each([
      ['ExplanationOfBenefit', 'invalid', "'ExplanationOfBenefit' is not valid; use [type]:[parameter] or [type]:[parameter]:[target type]"],
      ['ExplanationOfBenefit:a:b:c', 'invalid', "'ExplanationOfBenefit:a:b:c' is not valid; use [type]:[parameter] or [type]:[parameter]:[target type]"],
      ['Coverage:payor', 'not-supported', "'Coverage:payor' must start with the searched type, ExplanationOfBenefit"],
      [
        'ExplanationOfBenefit:type',
        'not-supported',
        "'ExplanationOfBenefit:type' is not supported; ExplanationOfBenefit reference parameters are patient, provider, care-team, coverage, insurer",
      ],
      ['ExplanationOfBenefit:provider:Patient', 'invalid', "'ExplanationOfBenefit:provider:Patient': ExplanationOfBenefit:provider does not refer to Patient"],
    ])('refuses _include=%s', (value, code, diagnostics) => {
      expect(refused('ExplanationOfBenefit', { _include: value })).toEqual({ code, parameter: '_include', diagnostics });
    });

    it('says so when a type has no references to include', () => {
      expect(refused('Patient', { _include: 'Patient:*' }).diagnostics).toBe(
        "'Patient:*' is not supported; Patient reference parameters are none",
      );
    });
  });

  describe('_revinclude', () => {
    it('takes a parameter of another type that points at the searched one', () => {
      const request = parsed('Patient', { _revinclude: ['ExplanationOfBenefit:patient', 'Coverage:payor'] });

      expect(codes(request, 'revInclude')).toEqual([
        { sourceType: 'ExplanationOfBenefit', codes: ['patient'], targetType: undefined },
        { sourceType: 'Coverage', codes: ['payor'], targetType: undefined },
      ]);
    });

    it.each([
      ['ExplanationOfBenefit:provider', 'invalid'],
      ['Claim:patient', 'not-supported'],
      ['Coverage:foo', 'not-supported'],
    ])('refuses _revinclude=%s on Patient', (value, code) => {
      expect(refused('Patient', { _revinclude: value })).toMatchObject({ code, parameter: '_revinclude' });
    });
  });

  describe('_sort', () => {
    it.each([
      ['_lastUpdated', [{ code: '_lastUpdated', descending: false }]],
      ['-_lastUpdated', [{ code: '_lastUpdated', descending: true }]],
      ['-service-date,_id', [{ code: 'service-date', descending: true }, { code: '_id', descending: false }]],
    ])('takes _sort=%s', (value, rules) => {
      const request = parsed('ExplanationOfBenefit', { _sort: value });

      expect(request.sort.map(({ parameter, descending }) => ({ code: parameter.code, descending }))).toEqual(rules);
      expect(request.linkParameters).toEqual([{ name: '_sort', value }]);
    });

    it.each(['patient', 'foo', '-', '_lastUpdated,'])('refuses _sort=%j', (value) => {
      expect(refused('ExplanationOfBenefit', { _sort: value })).toMatchObject({ code: 'not-supported', parameter: '_sort' });
    });
  });

  describe('_summary', () => {
    it('takes count, answering with the total only', () => {
      expect(parsed('ExplanationOfBenefit', { _summary: 'count' })).toMatchObject({
        summary: 'count',
        linkParameters: [{ name: '_summary', value: 'count' }],
      });
    });

    it('takes false as the default', () => {
      expect(parsed('ExplanationOfBenefit', { _summary: 'false' }).summary).toBeUndefined();
    });

    it.each(['true', 'text', 'data', 'COUNT'])('refuses _summary=%s', (value) => {
      expect(refused('ExplanationOfBenefit', { _summary: value })).toMatchObject({
        code: 'not-supported',
        parameter: '_summary',
      });
    });
  });

  describe('_elements', () => {
    it('takes a list of element names', () => {
      expect(parsed('ExplanationOfBenefit', { _elements: 'id,meta,billablePeriod' }).elements).toEqual([
        'id',
        'meta',
        'billablePeriod',
      ]);
    });

    it.each(['item.sequence', 'id,,meta', '1st', 'id;drop'])('refuses _elements=%j', (value) => {
      expect(refused('ExplanationOfBenefit', { _elements: value })).toMatchObject({ code: 'invalid', parameter: '_elements' });
    });
  });

  describe('harmless extras', () => {
    it.each(['none', 'estimate', 'accurate'])('accepts and repeats _total=%s', (value) => {
      expect(parsed('Patient', { _total: value }).linkParameters).toEqual([{ name: '_total', value }]);
    });

    it('refuses an unknown _total', () => {
      expect(refused('Patient', { _total: 'exact' })).toMatchObject({ code: 'invalid', parameter: '_total' });
    });

    it.each([
      ['true', true],
      ['false', false],
    ])('takes _pretty=%s', (value, pretty) => {
      expect(parsed('Patient', { _pretty: value }).pretty).toBe(pretty);
    });

    it('refuses an unknown _pretty', () => {
      expect(refused('Patient', { _pretty: 'yes' })).toMatchObject({ code: 'invalid', parameter: '_pretty' });
    });
  });
});
