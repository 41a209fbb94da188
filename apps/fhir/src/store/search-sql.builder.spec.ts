import { parseSearchRequest, type SearchQuery } from '@payer-access/fhir-models';
import { createFhirSearchRegistry } from '../fhir-core.module';
import { patientCompartment, UNRESTRICTED } from './compartment';
import { SearchSqlBuilder, UnsupportedSearchError } from './search-sql.builder';

describe(SearchSqlBuilder.name, () => {
  const registry = createFhirSearchRegistry({ FHIR_PUBLIC_URL: 'http://localhost:3003' });
  const build = (type: string, query: SearchQuery, patient: string | undefined = 'p1') => {
    const parsed = parseSearchRequest(type, query, registry);
    if (!parsed.ok) throw new Error(parsed.error.diagnostics);
    return SearchSqlBuilder.build(parsed.request, patient === undefined ? UNRESTRICTED : patientCompartment(patient));
  };

  it('limits a member search to the compartment and pages in insertion order', () => {
    const { page, count } = build('ExplanationOfBenefit', { _count: '10', startIndex: '20' });
    expect(count.text).toBe('SELECT count(*)::int AS total FROM resource r WHERE r.resource_type = $1 AND r.patient_id = $2');
    expect(count.values).toEqual(['ExplanationOfBenefit', 'p1']);
    expect(page.text).toContain('ORDER BY r.seq ASC LIMIT $3 OFFSET $4');
    expect(page.values).toEqual(['ExplanationOfBenefit', 'p1', 10, 20]);
  });

  it('searches shared directory types across the store', () => {
    expect(build('Practitioner', { name: 'Smith' }).count.values).toEqual(['Practitioner', 'smith%', 'name']);
  });

  it('binds every value: claim-type aliases become one set of systems, dates only the bounds they use', () => {
    const { count } = build('ExplanationOfBenefit', {
      type: 'http://localhost:3003/resources/codesystem/eobtype|carrier,pde',
      _lastUpdated: ['gt2020-02-13T08:00:00-05:00', 'lt2020-02-14T08:00:00-05:00'],
    });
    // `system|code` applies to its own item of the comma list only.
    expect(count.text).toContain('t.param = $6 AND ((t.code = $3 AND t.system = ANY($4::text[])) OR t.code = $5)');
    expect(count.values).toContainEqual([
      'https://bluebutton.cms.gov/resources/codesystem/eob-type',
      'http://localhost:3003/resources/codesystem/eob-type',
      'http://localhost:3003/resources/codesystem/eobtype',
    ]);
    expect(count.text).toContain("(r.last_updated + interval '1 millisecond') > $7::timestamptz");
    expect(count.text).toContain('r.last_updated < $8::timestamptz');
    expect(count.values.slice(-2)).toEqual(['2020-02-13T13:00:01.000Z', '2020-02-14T13:00:00.000Z']);
    expect(count.text).not.toMatch(/'carrier'|2020/);
  });

  it("leaves out `patient=` naming the compartment's own patient, and keeps any other patient", () => {
    const parsed = (query: SearchQuery) => {
      const result = parseSearchRequest('ExplanationOfBenefit', query, registry);
      if (!result.ok) throw new Error(result.error.diagnostics);
      return result.request;
    };
    const options = { compartmentParams: new Set(['patient']) };
    for (const patient of ['p1', 'Patient/p1']) {
      expect(SearchSqlBuilder.build(parsed({ patient }), patientCompartment('p1'), options).count).toEqual({
        text: 'SELECT count(*)::int AS total FROM resource r WHERE r.resource_type = $1 AND r.patient_id = $2',
        values: ['ExplanationOfBenefit', 'p1'],
      });
    }
    expect(SearchSqlBuilder.build(parsed({ patient: 'p2' }), patientCompartment('p1'), options).count.text).toContain('x.target_id = $3');
    expect(SearchSqlBuilder.build(parsed({ patient: 'p1,p2' }), patientCompartment('p1'), options).count.text).toContain('search_reference');
    // Without the compartment (a trusted caller) or without the option, the clause stays.
    expect(SearchSqlBuilder.build(parsed({ patient: 'p1' }), UNRESTRICTED, options).count.text).toContain('search_reference');
    expect(SearchSqlBuilder.build(parsed({ patient: 'p1' }), patientCompartment('p1')).count.text).toContain('search_reference');
  });

  it('refuses a sort on an indexed value rather than ignoring it', () => {
    expect(() => build('ExplanationOfBenefit', { _sort: 'service-date' })).toThrow(UnsupportedSearchError);
  });
});
