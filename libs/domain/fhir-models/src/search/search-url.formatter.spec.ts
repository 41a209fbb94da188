import { encodeQueryComponent, formatSearchUrl } from './search-url.formatter';

describe(formatSearchUrl.name, () => {
  const base = 'https://host/fhir/sb/R4/patientaccess';

  it('gives the bare type URL when there are no parameters', () => {
    expect(formatSearchUrl(base, 'Patient', [])).toBe(`${base}/Patient`);
  });

  it('drops trailing slashes from the base', () => {
    expect(formatSearchUrl(`${base}//`, 'Patient', [{ name: '_id', value: '1' }])).toBe(`${base}/Patient?_id=1`);
  });

  it("writes parameters in order, readable like seed 002's links", () => {
    expect(
      formatSearchUrl(base, 'ExplanationOfBenefit', [
        { name: '_count', value: '10' },
        { name: 'startIndex', value: '0' },
        { name: 'patient', value: 'Patient/-20140000000024' },
        { name: 'type:not', value: 'carrier,pde' },
      ]),
    ).toBe(`${base}/ExplanationOfBenefit?_count=10&startIndex=0&patient=Patient/-20140000000024&type:not=carrier,pde`);
  });

  it('encodes what would change meaning: + & = # | space and non-ASCII', () => {
    expect(encodeQueryComponent('gt2020-02-13T08:00:00+05:00')).toBe('gt2020-02-13T08:00:00%2B05:00');
    expect(encodeQueryComponent('a&b=c#d|e f')).toBe('a%26b%3Dc%23d%7Ce%20f');
    expect(encodeQueryComponent('Müller')).toBe('M%C3%BCller');
  });

  it('round-trips through a standard query-string decoder', () => {
    const values = [
      'gt2020-02-13T08:00:00+05:00',
      'https://bluebutton.cms.gov/resources/codesystem/eob-type|pde',
      'Doe\\, Jane',
      'a&b=c#d e%20f',
      'application/json+fhir',
    ];
    const url = formatSearchUrl(base, 'Patient', values.map((value) => ({ name: 'p', value })));

    expect(new URL(url).searchParams.getAll('p')).toEqual(values);
  });
});
