import { parseExportRequest } from './bulk-export.request';

describe(parseExportRequest.name, () => {
  const types = ['Patient', 'Coverage', 'ExplanationOfBenefit'];

  it('exports every exportable type when _type is absent', () => {
    expect(parseExportRequest({}, types)).toEqual({ ok: true, request: { types } });
  });

  it('keeps the asked types once each, in the order asked, and the _since instant', () => {
    expect(parseExportRequest({ _type: 'ExplanationOfBenefit,Patient,Patient', _since: '2026-01-02T03:04:05+01:00' }, types)).toEqual({
      ok: true,
      request: { types: ['ExplanationOfBenefit', 'Patient'], since: new Date('2026-01-02T02:04:05Z') },
    });
  });

  it.each(['application/fhir+ndjson', 'application/ndjson', 'ndjson', 'application/fhir ndjson'])('accepts _outputFormat %s', (format) => {
    expect(parseExportRequest({ _outputFormat: format }, types).ok).toBe(true);
  });

  it.each([
    ['an unsupported format', { _outputFormat: 'text/csv' }, /_outputFormat/],
    ['an unsupported parameter', { _elements: 'id' }, /_elements.*not supported/],
    ['a repeated parameter', { _type: ['Patient', 'Coverage'] }, /once/],
    ['a type that is not exportable', { _type: 'Patient,Organization' }, /Organization/],
    ['an empty type', { _type: 'Patient,' }, /_type ''/],
    ['a date without a time', { _since: '2026-01-01' }, /_since/],
    ['an impossible instant', { _since: '2026-13-45T00:00:00Z' }, /_since/],
  ])('refuses %s', (_case, query, problem) => {
    const parsed = parseExportRequest(query, types);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.problem).toMatch(problem);
  });
});
