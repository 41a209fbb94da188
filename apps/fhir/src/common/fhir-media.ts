import type { Response } from 'express';

export const FHIR_JSON = 'application/fhir+json';

/**
 * Sends a FHIR resource as JSON (an object, or JSON text already serialized). `_format=application/json`
 * gets that media type back; everything else gets `application/fhir+json`.
 * https://hl7.org/fhir/R4/http.html#mime-type
 */
export function sendFhir(response: Response, status: number, body: unknown, format?: string): void {
  const mediaType = format === 'application/json' ? 'application/json' : FHIR_JSON;
  response
    .status(status)
    .type(`${mediaType}; charset=utf-8`)
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}
