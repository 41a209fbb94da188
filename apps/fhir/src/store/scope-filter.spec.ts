import { scopeFilterSql } from './scope-filter';

describe('scopeFilterSql', () => {
  function build(resourceType: string, values: string[][]) {
    const bound: unknown[] = [];
    const text = scopeFilterSql({ constraints: values.map((params) => ({ params: params.map((each) => ({ name: each.split('=')[0], value: each.split('=')[1] })) })) }, resourceType, (value) => `$${bound.push(value)}`);
    return { text, bound };
  }

  it('matches any of the constraints, each on the search index, with bound values only', () => {
    const { text, bound } = build('Observation', [['category=http://cs.example|laboratory'], ['category=vital-signs']]);
    expect(text).toBe(
      '((EXISTS (SELECT 1 FROM search_token f WHERE f.resource_seq = r.seq AND f.param = $1 AND f.code = $2 AND f.system = ANY($3::text[]))) OR ' +
        '(EXISTS (SELECT 1 FROM search_token f WHERE f.resource_seq = r.seq AND f.param = $4 AND f.code = $5)))',
    );
    expect(bound).toEqual(['category', 'laboratory', ['http://cs.example'], 'category', 'vital-signs']);
  });

  it.each([
    ['another parameter', 'Observation', [['code=x']]],
    ['another type', 'Coverage', [['category=x']]],
    ['an empty code', 'Observation', [['category=http://cs.example|']]],
    ['no constraint at all', 'Observation', []],
  ])('matches nothing for %s', (_name, resourceType, values) => {
    expect(build(resourceType, values)).toEqual({ text: 'FALSE', bound: [] });
  });

  it("keeps only what it can enforce of a mix, so an unenforceable one adds nothing", () => {
    const { bound } = build('Observation', [['code=x'], ['category=laboratory']]);
    expect(bound).toEqual(['category', 'laboratory']);
  });

  it("matches every alias of a system the search registry treats as one, and no other system", () => {
    const aliases = ['https://bluebutton.cms.gov/resources/codesystem/eob-type', 'https://plan.example/codesystem/eob-type'];
    const filter = (system: string) => ({ constraints: [{ params: [{ name: 'type', value: `${system}|carrier` }] }], systemAliases: (param: string) => (param === 'type' ? aliases : undefined) });
    const bound: unknown[] = [];
    scopeFilterSql(filter(aliases[1]), 'ExplanationOfBenefit', (value) => `$${bound.push(value)}`);
    expect(bound).toEqual(['type', 'carrier', aliases]);
    bound.length = 0;
    scopeFilterSql(filter('https://other.example'), 'ExplanationOfBenefit', (value) => `$${bound.push(value)}`);
    expect(bound).toEqual(['type', 'carrier', ['https://other.example']]);
  });
});
