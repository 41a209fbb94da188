import type { Bundle, Coverage, ExplanationOfBenefit, Patient } from '@medplum/fhirtypes';
import { patientAccessSearchParameters } from '../search/definitions/patient-access.search-parameters';
import { createSearchParameterRegistry } from '../search/search-parameter.registry';
import type { QueryParameter } from '../search/search-request.model';
import { parseSearchRequest, type SearchQuery } from '../search/search-request.parser';
import { pageOffsets, searchsetBundle, type SearchPage } from './searchset-bundle.builder';

const BASE = 'https://apiservicessbext.bcbsnc.com/fhir/sb/R4/patientaccess';
const fixed = { now: () => new Date('2019-11-06T03:05:48.257Z'), newId: () => '9562c9b7-df79-419a-a94b-ef8cc9347e0e' };

function page(startIndex: number, count = 10, linkParameters: QueryParameter[] = []): SearchPage {
  return { count, startIndex, linkParameters };
}

function eob(id: string): ExplanationOfBenefit {
  return { resourceType: 'ExplanationOfBenefit', id } as ExplanationOfBenefit;
}

function linkMap(bundle: Bundle): Record<string, number> {
  return Object.fromEntries(
    (bundle.link ?? []).map((link) => [link.relation, Number(new URL(link.url).searchParams.get('startIndex'))]),
  );
}

describe(searchsetBundle.name, () => {
  it('builds a searchset with id, meta.lastUpdated, total, match and include entries', () => {
    const patient: Patient = { resourceType: 'Patient', id: '-20140000000024' };
    const bundle = searchsetBundle(
      {
        baseUrl: BASE,
        resourceType: 'ExplanationOfBenefit',
        entries: [eob('carrier-1'), eob('pde-2')],
        total: 148,
        request: page(0, 10, [{ name: 'patient', value: '-20140000000024' }]),
        includes: [patient],
      },
      fixed,
    );

    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      id: '9562c9b7-df79-419a-a94b-ef8cc9347e0e',
      meta: { lastUpdated: '2019-11-06T03:05:48.257Z' },
      type: 'searchset',
      total: 148,
    });
    expect(bundle.entry).toEqual([
      { fullUrl: `${BASE}/ExplanationOfBenefit/carrier-1`, resource: eob('carrier-1'), search: { mode: 'match' } },
      { fullUrl: `${BASE}/ExplanationOfBenefit/pde-2`, resource: eob('pde-2'), search: { mode: 'match' } },
      { fullUrl: `${BASE}/Patient/-20140000000024`, resource: patient, search: { mode: 'include' } },
    ]);
  });

  it("writes seed 002's first link", () => {
    const bundle = searchsetBundle(
      {
        baseUrl: BASE,
        resourceType: 'ExplanationOfBenefit',
        entries: [],
        total: 148,
        request: page(0, 10, [{ name: 'patient', value: '-20140000000024' }]),
      },
      fixed,
    );

    expect(bundle.link?.find((link) => link.relation === 'first')?.url).toBe(
      `${BASE}/ExplanationOfBenefit?_count=10&startIndex=0&patient=-20140000000024`,
    );
  });

  it('orders links self, first, previous, next, last', () => {
    const bundle = searchsetBundle({ baseUrl: BASE, resourceType: 'ExplanationOfBenefit', entries: [], total: 148, request: page(70) }, fixed);

    expect(bundle.link?.map((link) => link.relation)).toEqual(['self', 'first', 'previous', 'next', 'last']);
  });

  it.each([
    ['the first page', 148, 0, { self: 0, first: 0, next: 10, last: 140 }],
    ['a middle page', 148, 70, { self: 70, first: 0, previous: 60, next: 80, last: 140 }],
    ['the last page', 148, 140, { self: 140, first: 0, previous: 130, last: 140 }],
    ['the only page', 7, 0, { self: 0, first: 0, last: 0 }],
    ['an empty result', 0, 0, { self: 0, first: 0, last: 0 }],
    ['a total divisible by the count, last page', 30, 20, { self: 20, first: 0, previous: 10, last: 20 }],
    ['a total one over a multiple of the count', 31, 20, { self: 20, first: 0, previous: 10, next: 30, last: 30 }],
    ['an offset past the end', 148, 200, { self: 200, first: 0, previous: 140, last: 140 }],
    ['an offset off the page grid', 148, 5, { self: 5, first: 0, previous: 0, next: 15, last: 140 }],
  ])('links %s (total %i, startIndex %i)', (_case, total, startIndex, expected) => {
    const bundle = searchsetBundle({ baseUrl: BASE, resourceType: 'ExplanationOfBenefit', entries: [], total, request: page(startIndex) }, fixed);

    expect(linkMap(bundle)).toEqual(expected);
  });

  it('has no entry array for an empty page', () => {
    const bundle = searchsetBundle({ baseUrl: BASE, resourceType: 'Coverage', entries: [], total: 0, request: page(0) }, fixed);

    expect(bundle).not.toHaveProperty('entry');
    expect(bundle.total).toBe(0);
  });

  it.each([
    ['_count=0', { count: 0, startIndex: 0, linkParameters: [] }],
    ['_summary=count', { count: 10, startIndex: 0, linkParameters: [{ name: '_summary', value: 'count' }], summary: 'count' as const }],
  ])('gives only a self link for %s', (_case, request) => {
    const bundle = searchsetBundle({ baseUrl: BASE, resourceType: 'ExplanationOfBenefit', entries: [], total: 148, request }, fixed);

    expect(bundle.link?.map((link) => link.relation)).toEqual(['self']);
  });

  it('repeats every parameter in every link, repeated ones included', () => {
    const linkParameters = [
      { name: 'patient', value: 'Patient/-19990000000001' },
      { name: '_lastUpdated', value: 'gt2020-02-13T08:00:00+05:00' },
      { name: '_lastUpdated', value: 'lt2020-02-14T08:00:00-05:00' },
      { name: '_format', value: 'application/json+fhir' },
    ];
    const bundle = searchsetBundle(
      { baseUrl: BASE, resourceType: 'ExplanationOfBenefit', entries: [], total: 25, request: page(10, 10, linkParameters) },
      fixed,
    );

    expect(bundle.link?.find((link) => link.relation === 'next')?.url).toBe(
      `${BASE}/ExplanationOfBenefit?_count=10&startIndex=20&patient=Patient/-19990000000001` +
        '&_lastUpdated=gt2020-02-13T08:00:00%2B05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00&_format=application/json%2Bfhir',
    );
    for (const link of bundle.link ?? []) {
      const query = new URL(link.url).searchParams;
      expect(query.getAll('_lastUpdated')).toEqual(['gt2020-02-13T08:00:00+05:00', 'lt2020-02-14T08:00:00-05:00']);
      expect(query.get('_count')).toBe('10');
    }
  });

  it('lets a client follow next to the end of the result set', () => {
    const registry = createSearchParameterRegistry(patientAccessSearchParameters());
    const total = 148;
    const toQuery = (url: string): SearchQuery => {
      const query: Record<string, string[]> = {};
      new URL(url).searchParams.forEach((value, name) => (query[name] = [...(query[name] ?? []), value]));
      return query;
    };
    let query: SearchQuery = { patient: 'Patient/-20140000000024', _lastUpdated: ['ge2020-02-12', 'lt2021'], _count: '20' };
    const visited: number[] = [];

    for (let guard = 0; guard < 20; guard++) {
      const parsed = parseSearchRequest('ExplanationOfBenefit', query, registry);
      if (!parsed.ok) throw new Error(parsed.error.diagnostics);
      expect(parsed.request.clauses.map((clause) => clause.name)).toEqual(['patient', '_lastUpdated', '_lastUpdated']);
      visited.push(parsed.request.startIndex);

      const bundle = searchsetBundle({ baseUrl: BASE, resourceType: 'ExplanationOfBenefit', entries: [], total, request: parsed.request }, fixed);
      const next = bundle.link?.find((link) => link.relation === 'next');
      if (!next) break;
      query = toQuery(next.url);
    }

    expect(visited).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
  });

  it('takes the resource type of each entry for its fullUrl and tolerates a trailing slash on the base', () => {
    const coverage: Coverage = { resourceType: 'Coverage', id: 'part-a-20140000008325' } as Coverage;
    const bundle = searchsetBundle({ baseUrl: `${BASE}/`, resourceType: 'Coverage', entries: [coverage], total: 1, request: page(0) }, fixed);

    expect(bundle.entry?.[0].fullUrl).toBe(`${BASE}/Coverage/part-a-20140000008325`);
    expect(bundle.link?.[0].url).toBe(`${BASE}/Coverage?_count=10&startIndex=0`);
  });

  it('leaves fullUrl out for a resource without an id', () => {
    const bundle = searchsetBundle(
      { baseUrl: BASE, resourceType: 'Patient', entries: [{ resourceType: 'Patient' }], total: 1, request: page(0) },
      fixed,
    );

    expect(bundle.entry?.[0]).toEqual({ resource: { resourceType: 'Patient' }, search: { mode: 'match' } });
  });

  it('uses a random UUID and the current time by default', () => {
    const before = Date.now();
    const first = searchsetBundle({ baseUrl: BASE, resourceType: 'Patient', entries: [], total: 0, request: page(0) });
    const second = searchsetBundle({ baseUrl: BASE, resourceType: 'Patient', entries: [], total: 0, request: page(0) });

    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.id).not.toBe(second.id);
    expect(Date.parse(first.meta?.lastUpdated ?? '')).toBeGreaterThanOrEqual(before);
  });
});

describe(pageOffsets.name, () => {
  it.each([
    [148, 10, 0, { first: 0, previous: undefined, next: 10, last: 140 }],
    [148, 10, 140, { first: 0, previous: 130, next: undefined, last: 140 }],
    [148, 50, 50, { first: 0, previous: 0, next: 100, last: 100 }],
    [100, 50, 50, { first: 0, previous: 0, next: undefined, last: 50 }],
    [0, 10, 0, { first: 0, previous: undefined, next: undefined, last: 0 }],
    [1, 1, 0, { first: 0, previous: undefined, next: undefined, last: 0 }],
  ])('total %i, count %i, startIndex %i', (total, count, startIndex, expected) => {
    expect(pageOffsets(total, count, startIndex)).toEqual(expected);
  });
});
