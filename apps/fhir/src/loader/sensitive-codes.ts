import { readFileSync } from 'node:fs';
import { DEFAULT_SENSITIVE_CODES, parseSensitiveCodeList, type SensitiveCodeList } from '@payer-access/fhir-models';

/**
 * The plan's sensitive code list from FHIR_SENSITIVE_CODES (inline JSON, or a file path), or the
 * default. A list that cannot be read stops the start: loading with it missing would leave
 * sensitive records unlabelled, visible to grants that withhold them.
 */
export function sensitiveCodesFrom(setting: string | undefined): SensitiveCodeList {
  if (setting === undefined || setting.trim() === '') return DEFAULT_SENSITIVE_CODES;
  let text = setting;
  if (!/^\s*[[{]/.test(setting)) {
    try {
      text = readFileSync(setting, 'utf8');
    } catch {
      throw new Error('FHIR_SENSITIVE_CODES names a file that cannot be read');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('FHIR_SENSITIVE_CODES is not valid JSON');
  }
  const list = parseSensitiveCodeList(value);
  if (typeof list === 'string') throw new Error(`FHIR_SENSITIVE_CODES ${list}`);
  return list;
}
