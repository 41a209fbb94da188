import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SENSITIVE_CODES } from '@payer-access/fhir-models';
import { sensitiveCodesFrom } from './sensitive-codes';

describe(sensitiveCodesFrom.name, () => {
  const own = [{ label: 'SICKLE', codes: { 'http://hl7.org/fhir/sid/icd-10-cm': ['D57'] } }];

  it('takes the default list, inline JSON or a file', () => {
    expect(sensitiveCodesFrom(undefined)).toBe(DEFAULT_SENSITIVE_CODES);
    expect(sensitiveCodesFrom(JSON.stringify(own))).toEqual(own);
    const file = join(mkdtempSync(join(tmpdir(), 'codes-')), 'codes.json');
    writeFileSync(file, JSON.stringify(own));
    expect(sensitiveCodesFrom(file)).toEqual(own);
  });

  it('refuses a list it cannot use rather than labelling nothing', () => {
    expect(() => sensitiveCodesFrom('[not json')).toThrow(/not valid JSON/);
    expect(() => sensitiveCodesFrom('[{"label":"N","codes":{}}]')).toThrow(/label/);
    expect(() => sensitiveCodesFrom('/nonexistent/codes.json')).toThrow(/cannot be read/);
    expect(() => sensitiveCodesFrom('{"label":"HIV"}')).toThrow(/non-empty JSON array/);
  });
});
