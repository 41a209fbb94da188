import type { Condition, ExplanationOfBenefit } from '@medplum/fhirtypes';
import { generateSyntheticData } from '@payer-access/synthetic-data';
import * as fhirpath from 'fhirpath';
import * as r4Model from 'fhirpath/fhir-context/r4';
import { createFhirSearchRegistry } from '../fhir-core.module';
import { dateRangeOf, memberPathEvaluator, normalizeString, referenceOf, SearchIndexer, tokensOf } from './search-indexer';

describe(SearchIndexer.name, () => {
  const sut = new SearchIndexer(createFhirSearchRegistry({ FHIR_PUBLIC_URL: 'http://localhost:3003' }));

  const eob: ExplanationOfBenefit = {
    resourceType: 'ExplanationOfBenefit',
    id: 'carrier-1',
    status: 'active',
    type: { coding: [{ system: 'https://bluebutton.cms.gov/resources/codesystem/eob-type', code: 'carrier' }] },
    use: 'claim',
    patient: { reference: 'Patient/-20140000000024' },
    billablePeriod: { start: '2020-01-01', end: '2020-01-03' },
    created: '2020-01-10',
    insurer: { reference: 'Organization/payer' },
    provider: { reference: 'Practitioner/practitioner-1' },
    outcome: 'complete',
    careTeam: [{ sequence: 1, provider: { reference: 'Practitioner/practitioner-1' } }],
    insurance: [{ focal: true, coverage: { reference: 'Coverage/part-b-20140000000024' } }],
    item: [
      { sequence: 1, productOrService: { text: 'visit' }, servicedDate: '2020-01-01' },
      { sequence: 2, productOrService: { text: 'visit' }, servicedDate: '2020-01-01' },
      { sequence: 3, productOrService: { text: 'stay' }, servicedPeriod: { start: '2020-01-02', end: '2020-01-03' } },
    ],
  };

  it('extracts every parameter of a claim with the definitions, once per distinct value', () => {
    const rows = sut.index(eob);
    expect(rows.tokens).toEqual([{ param: 'type', system: 'https://bluebutton.cms.gov/resources/codesystem/eob-type', code: 'carrier' }]);
    expect(rows.references).toEqual(
      expect.arrayContaining([
        { param: 'patient', targetType: 'Patient', targetId: '-20140000000024' },
        { param: 'provider', targetType: 'Practitioner', targetId: 'practitioner-1' },
        { param: 'care-team', targetType: 'Practitioner', targetId: 'practitioner-1' },
        { param: 'coverage', targetType: 'Coverage', targetId: 'part-b-20140000000024' },
        { param: 'insurer', targetType: 'Organization', targetId: 'payer' },
      ]),
    );
    const serviceDates = rows.dates.filter((row) => row.param === 'service-date');
    // billablePeriod, the servicedDate the first two lines share, and the third line's period.
    expect(serviceDates).toEqual([
      { param: 'service-date', low: '2020-01-01T00:00:00.000Z', high: '2020-01-04T00:00:00.000Z' },
      { param: 'service-date', low: '2020-01-01T00:00:00.000Z', high: '2020-01-02T00:00:00.000Z' },
      { param: 'service-date', low: '2020-01-02T00:00:00.000Z', high: '2020-01-04T00:00:00.000Z' },
    ]);
    expect(rows.dates.filter((row) => row.param === 'service-start-date').map((row) => row.low)).toEqual(['2020-01-01T00:00:00.000Z', '2020-01-02T00:00:00.000Z']);
    expect(sut.compartmentOf(eob, rows)).toBe('-20140000000024');
  });

  it('reads `where(resolve() is Patient)` from the reference type, so a group subject is no patient', () => {
    const condition: Condition = { resourceType: 'Condition', id: 'c', subject: { reference: 'Group/g1' } };
    const rows = sut.index(condition);
    expect(rows.references.filter((row) => row.param === 'patient')).toEqual([]);
    expect(sut.compartmentOf(condition, rows)).toBeNull();
  });

  it('puts a Patient in its own compartment and shared directory types in none', () => {
    const patient = { resourceType: 'Patient' as const, id: 'p1', name: [{ family: 'Doe', given: ['Jane'] }] };
    const rows = sut.index(patient);
    expect(rows.strings).toEqual([
      { param: 'name', value: 'doe' },
      { param: 'name', value: 'jane' },
    ]);
    expect(sut.compartmentOf(patient, rows)).toBe('p1');
    const practitioner = { resourceType: 'Practitioner' as const, id: 'x' };
    expect(sut.compartmentOf(practitioner, sut.index(practitioner))).toBeNull();
  });

  it('names the parameters that always point at the compartment patient: patient, unless beneficiary can stand in', () => {
    expect([...sut.compartmentParamsOf('ExplanationOfBenefit')]).toEqual(['patient']);
    expect([...sut.compartmentParamsOf('Observation')]).toEqual(['patient']);
    // A Coverage without a `patient` reference takes its compartment from `beneficiary`.
    expect([...sut.compartmentParamsOf('Coverage')]).toEqual([]);
    expect([...sut.compartmentParamsOf('Practitioner')]).toEqual([]);
  });
});

describe('value extraction', () => {
  it.each([
    [{ coding: [{ system: 's', code: 'a' }, { code: 'b' }] }, [{ system: 's', code: 'a' }, { system: null, code: 'b' }]],
    [{ system: 'urn:id', value: '42' }, [{ system: 'urn:id', code: '42' }]],
    ['final', [{ system: null, code: 'final' }]],
    [true, [{ system: null, code: 'true' }]],
  ])('tokensOf(%j)', (value, expected) => {
    expect(tokensOf(value)).toEqual(expected);
  });

  it('turns dates, instants and open periods into [low, high) ranges', () => {
    expect(dateRangeOf('2020')).toEqual({ low: '2020-01-01T00:00:00.000Z', high: '2021-01-01T00:00:00.000Z' });
    expect(dateRangeOf('2020-02-13T21:53:06.017-05:00')).toEqual({ low: '2020-02-14T02:53:06.017Z', high: '2020-02-14T02:53:06.018Z' });
    expect(dateRangeOf({ start: '2020-01-01' })).toEqual({ low: '2020-01-01T00:00:00.000Z', high: '9999-12-31T23:59:59.999Z' });
    expect(dateRangeOf('not a date')).toBeUndefined();
  });

  it('answers a date it has seen before as it did the first time, invalid ones too, and never hands out the same object', () => {
    const first = dateRangeOf('2019-07-04');
    const again = dateRangeOf('2019-07-04');
    expect(again).toEqual({ low: '2019-07-04T00:00:00.000Z', high: '2019-07-05T00:00:00.000Z' });
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(dateRangeOf('2019-02-30')).toBeUndefined();
    expect(dateRangeOf('2019-02-30')).toBeUndefined();
    expect(dateRangeOf({ start: '2019-02-30', end: '2019-07-04' })).toEqual({ low: '0001-01-01T00:00:00.000Z', high: '2019-07-05T00:00:00.000Z' });
    // Past the cache's bound it starts again rather than growing: every answer stays right.
    for (let day = 0; day < 25_000; day += 1) dateRangeOf(new Date(Date.UTC(1900, 0, 1) + day * 86_400_000).toISOString().slice(0, 10));
    expect(dateRangeOf('2019-07-04')).toEqual(first);
  });

  it('reads relative, absolute and versioned references, and skips contained ones', () => {
    expect(referenceOf({ reference: 'Patient/1' })).toEqual({ targetType: 'Patient', targetId: '1' });
    expect(referenceOf({ reference: 'https://h/fhir/Patient/1/_history/2' })).toEqual({ targetType: 'Patient', targetId: '1' });
    expect(referenceOf({ reference: '#contained' })).toBeUndefined();
    expect(referenceOf({ identifier: { value: 'x' } })).toBeUndefined();
  });

  it('ignores case and accents in strings', () => {
    expect(normalizeString('Zoë GARCÍA')).toBe('zoe garcia');
  });

  it('reads member paths off the JSON exactly as the FHIRPath engine evaluates them', () => {
    const registry = createFhirSearchRegistry({ FHIR_PUBLIC_URL: 'http://localhost:3003' });
    const odd = [
      // Primitive extensions without a value, nulls in lists, a choice element, a type the path does not name.
      { resourceType: 'Patient', id: 'odd', _birthDate: { extension: [{ url: 'x', valueString: 'y' }] }, name: [null, { family: 'A', _family: { id: 'f' } }] },
      { resourceType: 'Organization', id: 'odd', name: 'N', alias: ['N', 'M'] },
      { resourceType: 'ExplanationOfBenefit', id: 'odd', item: [{ servicedDate: '2020' }, { servicedPeriod: { start: '2020-01-01' } }], billablePeriod: { start: '2020-01-01' } },
      { resourceType: 'Condition', id: 'odd', subject: { reference: 'Patient/p' }, onsetPeriod: { start: '2019' } },
      { resourceType: 'Condition', id: 'odd-2', subject: { reference: 'Patient/p' }, onsetDateTime: '2019-05' },
    ];
    const resources = [...generateSyntheticData({ extraPatients: 6, eobsPerPatient: 30 }), ...odd] as { resourceType: string }[];
    let compared = 0;
    for (const type of registry.resourceTypes) {
      for (const definition of registry.forResourceType(type)) {
        const shortcut = memberPathEvaluator(definition.expression);
        if (!shortcut) continue;
        const engine = fhirpath.compile(definition.expression, r4Model);
        for (const resource of resources) {
          const expected = engine(resource as never) as unknown[];
          // A union drops duplicates; the shortcut leaves them to the indexer's one row per value.
          const distinct = [...new Map(shortcut(resource).map((value) => [JSON.stringify(value), value])).values()];
          expect({ type, code: definition.code, id: (resource as { id?: string }).id, values: distinct }).toEqual({
            type,
            code: definition.code,
            id: (resource as { id?: string }).id,
            values: [...new Map(expected.map((value) => [JSON.stringify(value), value])).values()],
          });
          compared += expected.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(memberPathEvaluator('ExplanationOfBenefit.item.serviced.ofType(date)')).toBeDefined();
    expect(memberPathEvaluator('ExplanationOfBenefit.billablePeriod.ofType(Period)')).toBeUndefined();
    expect(memberPathEvaluator('(Goal.target.due as date)')).toBeUndefined();
    expect(memberPathEvaluator('Condition.subject.where(resolve() is Patient)')).toBeUndefined();
  });
});
