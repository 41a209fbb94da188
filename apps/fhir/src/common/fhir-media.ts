import type { Response } from 'express';

export const FHIR_JSON = 'application/fhir+json';

/** The Content-Type values as Express would spell them, set directly rather than parsed and rebuilt per response. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  [FHIR_JSON]: `${FHIR_JSON}; charset=utf-8`,
  'application/json': 'application/json; charset=utf-8',
};

/**
 * Sends a FHIR resource as JSON (an object, or JSON text already serialized). `_format=application/json`
 * gets that media type back; everything else gets `application/fhir+json`.
 * https://hl7.org/fhir/R4/http.html#mime-type
 *
 * The body goes to Express as UTF-8 bytes with the Content-Type already set: Express then neither
 * parses the media type again to add the charset nor measures the text before encoding it, and still
 * answers conditional requests (304) and HEAD as before.
 */
export function sendFhir(response: Response, status: number, body: unknown, format?: string): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.status(status);
  response.setHeader('Content-Type', CONTENT_TYPES[format === 'application/json' ? 'application/json' : FHIR_JSON]);
  response.send(Buffer.from(text, 'utf8'));
}
