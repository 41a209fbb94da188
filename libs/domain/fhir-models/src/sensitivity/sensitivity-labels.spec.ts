import {
  ACT_CODE_SYSTEM,
  applySensitivityLabels,
  CONFIDENTIALITY_SYSTEM,
  DEFAULT_SENSITIVE_CODES,
  parseSensitiveCodeList,
  sensitivityLabelsOf,
  type SensitiveCodeList,
} from './sensitivity-labels';

const ICD10_CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const condition = (code: string, system = ICD10_CM) => ({ resourceType: 'Condition', id: 'c1', code: { coding: [{ system, code }] } });
const eob = (diagnosis: string, ndc?: string) => ({
  resourceType: 'ExplanationOfBenefit',
  id: 'e1',
  meta: { lastUpdated: '2024-01-01T00:00:00Z' },
  diagnosis: [{ sequence: 1, diagnosisCodeableConcept: { coding: [{ system: ICD10_CM, code: diagnosis }] } }],
  item: ndc ? [{ sequence: 1, productOrService: { coding: [{ system: 'http://hl7.org/fhir/sid/ndc', code: ndc }] } }] : [],
});
const codesOf = (resource: object) =>
  ((resource as { meta?: { security?: readonly { system?: string; code?: string }[] } }).meta?.security ?? []).map((coding) => `${coding.system === ACT_CODE_SYSTEM ? 'act' : coding.system === CONFIDENTIALITY_SYSTEM ? 'conf' : coding.system}:${coding.code}`).sort();

describe(applySensitivityLabels.name, () => {
  it('labels substance use (F10-F19) as ETH under 42 CFR Part 2, restricted, at both ends of the range and with or without dots', () => {
    for (const code of ['F10.20', 'F1020', 'f19.99', 'F15']) {
      expect(codesOf(applySensitivityLabels(condition(code)))).toEqual(['act:42CFRPart2', 'act:ETH', 'conf:R']);
    }
    expect(codesOf(applySensitivityLabels(condition('F09')))).toEqual([]);
    expect(codesOf(applySensitivityLabels(condition('F20.9')))).toEqual(['act:PSY', 'conf:R']);
  });

  it('labels HIV (B20), mental health (F20-F48) and leaves other diagnoses and other systems alone', () => {
    expect(codesOf(applySensitivityLabels(condition('B20')))).toEqual(['act:HIV', 'conf:R']);
    expect(codesOf(applySensitivityLabels(condition('F32.9')))).toEqual(['act:PSY', 'conf:R']);
    expect(codesOf(applySensitivityLabels(condition('F48.1')))).toEqual(['act:PSY', 'conf:R']);
    expect(codesOf(applySensitivityLabels(condition('F49')))).toEqual([]);
    expect(codesOf(applySensitivityLabels(condition('E11.9')))).toEqual([]);
    // The same characters in another code system mean something else.
    expect(codesOf(applySensitivityLabels(condition('B20', 'http://loinc.org')))).toEqual([]);
  });

  it('finds codes anywhere in a claim: a drug line is enough', () => {
    expect(codesOf(applySensitivityLabels(eob('I10', '12496-1208-03')))).toEqual(['act:42CFRPart2', 'act:ETH', 'conf:R']);
    expect(codesOf(applySensitivityLabels(eob('I10', '00093-7214-01')))).toEqual([]);
  });

  it('returns the very object when nothing applies, and never changes its input', () => {
    const plain = eob('I10');
    expect(applySensitivityLabels(plain)).toBe(plain);
    const sensitive = eob('F11.20');
    const labelled = applySensitivityLabels(sensitive);
    expect(labelled).not.toBe(sensitive);
    expect(sensitive.meta).toEqual({ lastUpdated: '2024-01-01T00:00:00Z' });
    expect(labelled.meta.lastUpdated).toBe('2024-01-01T00:00:00Z');
  });

  it('keeps labels already present without repeating them, and is idempotent', () => {
    const already = { ...condition('B20'), meta: { security: [{ system: ACT_CODE_SYSTEM, code: 'HIV' }, { system: CONFIDENTIALITY_SYSTEM, code: 'V' }] } };
    expect(codesOf(applySensitivityLabels(already))).toEqual(['act:HIV', 'conf:V']);
    const once = applySensitivityLabels(condition('F10.1'));
    expect(codesOf(applySensitivityLabels(once))).toEqual(codesOf(once));
  });

  it('ignores codes in meta (the labels themselves) and survives hostile shapes', () => {
    const onlyMeta = { resourceType: 'Condition', id: 'x', meta: { security: [], tag: [{ system: ICD10_CM, code: 'B20' }] } };
    expect(applySensitivityLabels(onlyMeta)).toBe(onlyMeta);
    let deep: Record<string, unknown> = { system: ICD10_CM, code: 'B20' };
    for (let i = 0; i < 10_000; i += 1) deep = { next: deep };
    expect(() => applySensitivityLabels({ resourceType: 'Basic', deep } as never)).not.toThrow();
    const odd = { resourceType: 'Condition', meta: { security: 'nope' }, code: { coding: [{ system: ICD10_CM, code: 7 }, null, { system: ICD10_CM, code: 'F14\u0000' }] } };
    expect(codesOf(applySensitivityLabels(odd as never))).toEqual(['act:42CFRPart2', 'act:ETH', 'conf:R']);
  });

  it("follows a plan's own list instead of the default", () => {
    const list: SensitiveCodeList = [{ label: 'SICKLE', codes: { [ICD10_CM]: ['D57'] } }];
    expect(codesOf(applySensitivityLabels(condition('D57.1'), list))).toEqual(['act:SICKLE', 'conf:R']);
    expect(codesOf(applySensitivityLabels(condition('B20'), list))).toEqual([]);
  });
});

describe(sensitivityLabelsOf.name, () => {
  it('keeps only sensitivity labels, as system|code, sorted and unique', () => {
    const resource = {
      meta: {
        security: [
          { system: ACT_CODE_SYSTEM, code: 'PSY' },
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED' },
          { system: CONFIDENTIALITY_SYSTEM, code: 'N' },
          { system: CONFIDENTIALITY_SYSTEM, code: 'R' },
          { system: ACT_CODE_SYSTEM, code: 'PSY' },
          { system: ACT_CODE_SYSTEM, code: '42CFRPart2' },
        ],
      },
    };
    expect(sensitivityLabelsOf(resource)).toEqual([`${ACT_CODE_SYSTEM}|42CFRPart2`, `${ACT_CODE_SYSTEM}|PSY`, `${CONFIDENTIALITY_SYSTEM}|R`]);
    expect(sensitivityLabelsOf({ resourceType: 'Basic' })).toEqual([]);
    expect(sensitivityLabelsOf({ meta: { security: 'x' as never } })).toEqual([]);
  });
});

describe(parseSensitiveCodeList.name, () => {
  it('accepts the default list and refuses malformed ones with a reason', () => {
    expect(parseSensitiveCodeList(JSON.parse(JSON.stringify(DEFAULT_SENSITIVE_CODES)))).toEqual(DEFAULT_SENSITIVE_CODES);
    expect(parseSensitiveCodeList([])).toMatch(/non-empty/);
    expect(parseSensitiveCodeList({})).toMatch(/non-empty/);
    expect(parseSensitiveCodeList([{ label: 'NOPE', codes: {} }])).toMatch(/label/);
    expect(parseSensitiveCodeList([{ label: 'HIV', codes: { x: [1] } }])).toMatch(/codes of x/);
    expect(parseSensitiveCodeList([{ label: 'HIV', alsoLabels: ['N'], codes: {} }])).toMatch(/alsoLabels/);
  });
});
