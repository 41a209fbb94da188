import { searchErrorOutcome } from '../outcome/operation-outcome.builder';
import { BLUE_BUTTON_EOB_TYPE_SYSTEM, eobTypeSystemAliases } from './definitions/carin-bb.search-parameters';
import { patientAccessSearchParameters } from './definitions/patient-access.search-parameters';
import { createSearchParameterRegistry } from './search-parameter.registry';
import type { SearchError, SearchParserOptions, SearchRequest } from './search-request.model';
import { parseSearchRequest, type SearchQuery } from './search-request.parser';

const SEED_BASE = 'https://apiservicessb-ext.bcbsnc.com/fhir/sb/R4/patientaccess';
const registry = createSearchParameterRegistry(
  patientAccessSearchParameters({ eobTypeSystems: [BLUE_BUTTON_EOB_TYPE_SYSTEM, ...eobTypeSystemAliases(SEED_BASE)] }),
);

/** Decodes a raw query string the way a Node server does: `+` is a space, repeats become arrays. */
function queryOf(queryString: string): SearchQuery {
  // No prototype, so that names like `constructor` are ordinary keys, as they are on the wire.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(queryString)) {
    const previous = query[name];
    query[name] = previous === undefined ? value : ([] as string[]).concat(previous, value);
  }
  return query;
}

function parsed(resourceType: string, query: SearchQuery | string, options?: SearchParserOptions): SearchRequest {
  const result = parseSearchRequest(resourceType, typeof query === 'string' ? queryOf(query) : query, registry, options);
  if (!result.ok) {
    throw new Error(`expected the search to parse: ${result.error.diagnostics}`);
  }
  return result.request;
}

function refused(resourceType: string, query: SearchQuery | string): SearchError {
  const result = parseSearchRequest(resourceType, typeof query === 'string' ? queryOf(query) : query, registry);
  if (result.ok) {
    throw new Error('expected the search to be refused');
  }
  return result.error;
}

describe(parseSearchRequest.name, () => {
  describe("seed 002's queries", () => {
    it('reads a patient EOB search over a _lastUpdated interval, in the DSTU2 JSON format', () => {
      const request = parsed(
        'ExplanationOfBenefit',
        'patient=Patient/-19990000000001&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00&_format=application%2Fjson%2Bfhir',
      );

      expect(request.clauses).toMatchObject([
        { kind: 'reference', name: 'patient', values: [{ resourceType: 'Patient', id: '-19990000000001' }] },
        {
          kind: 'date',
          name: '_lastUpdated',
          values: [{ prefix: 'gt', range: { precision: 'second', start: '2020-02-13T13:00:00.000Z' } }],
        },
        {
          kind: 'date',
          name: '_lastUpdated',
          values: [{ prefix: 'lt', range: { precision: 'second', start: '2020-02-14T13:00:00.000Z' } }],
        },
      ]);
      expect(request.clauses[0].parameter.expression).toBe('ExplanationOfBenefit.patient');
      expect(request.clauses[1].parameter.expression).toBe('Resource.meta.lastUpdated');
      expect(request.format).toBe('application/fhir+json');
      expect(request.linkParameters).toEqual([
        { name: 'patient', value: 'Patient/-19990000000001' },
        { name: '_lastUpdated', value: 'gt2020-02-13T08:00:00-05:00' },
        { name: '_lastUpdated', value: 'lt2020-02-14T08:00:00-05:00' },
        { name: '_format', value: 'application/json+fhir' },
      ]);
    });

    it('reads the Patient _id and _lastUpdated search', () => {
      const request = parsed(
        'Patient',
        '_id=-19990000000001&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir',
      );

      expect(request.clauses).toMatchObject([
        { kind: 'token', name: '_id', not: false, values: [{ code: '-19990000000001' }] },
        { kind: 'date', name: '_lastUpdated', values: [{ prefix: 'gt' }] },
      ]);
    });

    it('reads an offset whose + was sent unencoded and so arrived as a space, and repairs it for links', () => {
      const request = parsed('ExplanationOfBenefit', '_lastUpdated=gt2020-02-13T08:00:00+05:00');

      expect(request.clauses).toMatchObject([{ values: [{ range: { start: '2020-02-13T03:00:00.000Z' } }] }]);
      expect(request.linkParameters).toEqual([{ name: '_lastUpdated', value: 'gt2020-02-13T08:00:00+05:00' }]);
    });

    it('reads the Coverage search by beneficiary', () => {
      expect(parsed('Coverage', 'beneficiary=-20140000008325').clauses).toMatchObject([
        { kind: 'reference', values: [{ resourceType: 'Patient', id: '-20140000008325' }] },
      ]);
    });

    it('reads every claim type at once as alternatives', () => {
      const request = parsed('ExplanationOfBenefit', 'patient=123&type=carrier,dme,hha,hospice,inpatient,outpatient,snf');

      expect(request.clauses).toHaveLength(2);
      expect(request.clauses[1]).toMatchObject({ kind: 'token', values: expect.arrayContaining([{ code: 'snf' }]) });
      expect(request.clauses[1].kind === 'token' && request.clauses[1].values).toHaveLength(7);
    });

    it.each([
      [`${BLUE_BUTTON_EOB_TYPE_SYSTEM}|pde`, BLUE_BUTTON_EOB_TYPE_SYSTEM, 'pde'],
      ['https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type|pde', 'https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type', 'pde'],
      ['https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eobtype|inpatient', 'https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eobtype', 'inpatient'],
    ])('reads type=%s', (value, system, code) => {
      expect(parsed('ExplanationOfBenefit', { type: value }).clauses).toMatchObject([{ values: [{ system, code }] }]);
    });

    it.each(['CARRIER', 'foo', 'Carrier,pde', 'https://other.example/resources/codesystem/eob-type|pde'])(
      'answers type=%s with a 400 saying "not a valid value"',
      (value) => {
        const outcome = searchErrorOutcome(refused('ExplanationOfBenefit', { patient: '123', type: value }));

        expect(outcome.status).toBe(400);
        expect(outcome.outcome.issue[0]).toMatchObject({ severity: 'error', code: 'code-invalid', expression: ['type'] });
        expect(outcome.outcome.issue[0].diagnostics).toContain('not a valid value');
        expect(outcome.outcome.issue[0].details?.text).toContain('not a valid value');
      },
    );
  });

  describe('defaults', () => {
    it('pages by 10 from the start, with nothing else set', () => {
      expect(parsed('ExplanationOfBenefit', {})).toEqual({
        resourceType: 'ExplanationOfBenefit',
        clauses: [],
        count: 10,
        startIndex: 0,
        sort: [],
        include: [],
        revInclude: [],
        linkParameters: [],
      });
    });

    it('takes the default page size from options, within the maximum', () => {
      expect(parsed('Patient', {}, { defaultCount: 25 }).count).toBe(25);
      expect(parsed('Patient', {}, { defaultCount: 25, maxCount: 20 }).count).toBe(20);
    });

    it('reads dates without an offset at the configured one', () => {
      expect(
        parsed('Patient', { birthdate: '2014-06-01' }, { defaultTimezoneOffsetMinutes: -300 }).clauses,
      ).toMatchObject([{ values: [{ range: { start: '2014-06-01T05:00:00.000Z' } }] }]);
    });
  });

  describe('combining parameters', () => {
    it('ANDs repeated parameters and ORs comma values', () => {
      const request = parsed('ExplanationOfBenefit', 'type=carrier,pde&type:not=pde&service-date=ge2020&service-date=lt2021');

      expect(request.clauses).toMatchObject([
        { kind: 'token', not: false, values: [{ code: 'carrier' }, { code: 'pde' }] },
        { kind: 'token', not: true, values: [{ code: 'pde' }] },
        { kind: 'date', values: [{ prefix: 'ge' }] },
        { kind: 'date', values: [{ prefix: 'lt' }] },
      ]);
    });

    it('keeps every accepted parameter for links, in query order (repeats grouped) and without paging', () => {
      const request = parsed(
        'ExplanationOfBenefit',
        '_count=5&patient=123&startIndex=10&_lastUpdated=ge2020&_include=ExplanationOfBenefit:patient&_lastUpdated=lt2021&type:not=pde',
      );

      expect(request.linkParameters).toEqual([
        { name: 'patient', value: '123' },
        { name: '_lastUpdated', value: 'ge2020' },
        { name: '_lastUpdated', value: 'lt2021' },
        { name: '_include', value: 'ExplanationOfBenefit:patient' },
        { name: 'type:not', value: 'pde' },
      ]);
    });
  });

  describe('modifiers', () => {
    it('accepts :missing on any parameter, :not on tokens and :exact on strings', () => {
      expect(parsed('Patient', 'gender:missing=true&gender:not=unknown&name:exact=Doe').clauses).toMatchObject([
        { kind: 'missing', name: 'gender:missing', missing: true },
        { kind: 'token', name: 'gender:not', not: true },
        { kind: 'string', name: 'name:exact', match: 'exact', values: ['Doe'] },
      ]);
    });

    it('refuses modifiers it does not know', () => {
      expect(refused('Patient', 'gender:text=male')).toMatchObject({ code: 'not-supported', parameter: 'gender:text' });
    });
  });

  describe('unknown and unsupported parameters', () => {
    it('refuses an unknown parameter and lists the supported ones', () => {
      expect(refused('Coverage', 'beneficiary=1&foo=bar')).toEqual({
        code: 'not-supported',
        parameter: 'foo',
        diagnostics: "Unknown search parameter 'foo' for Coverage; supported: beneficiary, patient, payor, identifier, _id, _lastUpdated",
      });
    });

    it.each([
      ['a parameter of another type', 'Patient', 'type=carrier', 'type'],
      ['a result parameter we do not offer', 'Patient', '_offset=10', '_offset'],
      ['a misspelt parameter (names are case-sensitive)', 'Patient', '_COUNT=10', '_COUNT'],
      ['a misspelt paging parameter', 'Patient', 'StartIndex=10', 'StartIndex'],
      ['a chained parameter', 'ExplanationOfBenefit', 'patient.name=Doe', 'patient.name'],
      ['a reverse chain', 'Patient', '_has:Observation:patient:code=1234', '_has:Observation:patient:code'],
      ['an unknown parameter with an empty value', 'Patient', 'foo=', 'foo'],
      ['a modifier on a result parameter', 'Patient', '_count:exact=10', '_count:exact'],
      ['_include:iterate', 'ExplanationOfBenefit', '_include:iterate=ExplanationOfBenefit:patient', '_include:iterate'],
    ])('refuses %s', (_case, type, query, parameter) => {
      expect(refused(type, query)).toMatchObject({ code: 'not-supported', parameter });
    });

    it.each([
      ['constructor=1', 'constructor'],
      ['toString=1', 'toString'],
      ['__proto__=1', '__proto__'],
      ['name:constructor=Doe', 'name:constructor'],
      ['_format=constructor', '_format'],
      ['_format=toString', '_format'],
    ])('treats names inherited by every JS object as unknown: %s', (query, parameter) => {
      expect(refused('Patient', query)).toMatchObject({ code: 'not-supported', parameter });
    });

    it('refuses a resource type the service does not search, naming no parameter', () => {
      expect(refused('Claim', {})).toEqual({ code: 'not-supported', diagnostics: "Searching 'Claim' is not supported" });
    });
  });

  describe('empty and odd values', () => {
    it('ignores parameters with an empty value, and leaves them out of links', () => {
      const request = parsed('ExplanationOfBenefit', 'patient=&type=pde&_count=&startIndex=&_format=');

      expect(request.clauses).toMatchObject([{ name: 'type' }]);
      expect(request).toMatchObject({ count: 10, startIndex: 0 });
      expect(request.format).toBeUndefined();
      expect(request.linkParameters).toEqual([{ name: 'type', value: 'pde' }]);
    });

    it('lets an empty duplicate of a single-valued parameter pass', () => {
      expect(parsed('Patient', '_count=&_count=5').count).toBe(5);
    });

    it('skips undefined values', () => {
      expect(parsed('Patient', { gender: undefined }).clauses).toEqual([]);
    });

    it('refuses values that are not strings, such as nested objects from an extended query parser', () => {
      const query = { patient: { id: '1' } } as unknown as SearchQuery;
      expect(refused('ExplanationOfBenefit', query)).toEqual({
        code: 'invalid',
        parameter: 'patient',
        diagnostics: "'patient' must be a plain name=value pair",
      });
    });

    it('quotes long values in diagnostics only in part', () => {
      const error = refused('ExplanationOfBenefit', { type: 'x'.repeat(500) });
      expect(error.diagnostics.length).toBeLessThan(300);
      expect(error.diagnostics).toContain(`'${'x'.repeat(80)}…'`);
    });
  });

  it.each([
    ['Condition', 'patient=123&category=problem-list-item&clinical-status=active&onset-date=ge2019'],
    ['Observation', 'patient=123&category=laboratory&code=http://loinc.org|4548-4&date=ge2020-01-01&status=final'],
    ['AllergyIntolerance', 'patient=123&clinical-status=active'],
    ['Procedure', 'patient=123&date=ge2020&code=http://snomed.info/sct|80146002&status=completed'],
    ['Immunization', 'patient=123&date=le2021-06&status=completed'],
    ['MedicationRequest', 'patient=123&intent=order&status=active&authoredon=ge2020'],
    ['Encounter', 'patient=123&date=ge2020&class=AMB&type=99213&status=finished&identifier=abc'],
    ['DiagnosticReport', 'patient=123&category=LAB&code=24323-8&date=ge2020&status=final'],
    ['DocumentReference', 'patient=123&category=clinical-note&type=18842-5&date=ge2020&period=ge2020&status=current'],
    ['CarePlan', 'patient=123&category=assess-plan&date=ge2020&status=active'],
    ['CareTeam', 'patient=123&status=active'],
    ['Goal', 'patient=123&lifecycle-status=active&target-date=ge2021'],
    ['Practitioner', '_id=1&identifier=http://hl7.org/fhir/sid/us-npi|9999999999&name=Smith'],
    ['Organization', 'identifier=1&name=Acme'],
    ['Location', 'identifier=1&name=Clinic'],
    ['Coverage', 'patient=123&payor=Organization/1&identifier=abc'],
    [
      'ExplanationOfBenefit',
      'patient=123&identifier=abc&service-date=ge2020&service-start-date=ge2020&billable-period-start=ge2020&created=lt2021&provider=Practitioner/1&coverage=Coverage/part-a-1',
    ],
    ['Patient', '_id=1&identifier=abc&name=Doe&birthdate=2014-06-01&gender=unknown'],
  ])('accepts the US Core / CARIN searches on %s', (type, query) => {
    expect(parsed(type, query).clauses.length).toBe(new URLSearchParams(query).size);
  });
});
