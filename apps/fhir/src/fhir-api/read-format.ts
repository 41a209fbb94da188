import { badRequest } from '@payer-access/fhir-models';
import type { Request } from 'express';
import { FhirException } from '../common/fhir.exception';

const FORMATS: Readonly<Record<string, string>> = {
  json: 'application/fhir+json',
  'application/fhir+json': 'application/fhir+json',
  // DSTU2's name, which seed 002 still sends; a `+` left unencoded arrives as a space.
  'application/json+fhir': 'application/fhir+json',
  'application/json fhir': 'application/fhir+json',
  'application/fhir json': 'application/fhir+json',
  'application/json': 'application/json',
};

/** The media type `_format` asks for on a read or an operation, or the 400 to answer with. */
export function readFormat(query: Request['query']): string | undefined | FhirException {
  const value = query._format;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return new FhirException(badRequest('_format may appear only once', '_format'));
  const format = FORMATS[value.split(';')[0].trim().toLowerCase()];
  return format ?? new FhirException(badRequest(`_format '${value.slice(0, 64)}' is not supported; use json, application/json or application/fhir+json`, '_format'));
}
