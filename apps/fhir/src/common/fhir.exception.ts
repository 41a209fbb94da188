import type { FhirOutcome } from '@payer-access/fhir-models';

/**
 * An error the client is told about, as the OperationOutcome and HTTP status it carries. Services
 * throw it; the exception filter only serializes it.
 */
export class FhirException extends Error {
  constructor(
    readonly outcome: FhirOutcome,
    /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(outcome.outcome.issue[0]?.diagnostics ?? 'FHIR error');
    this.name = 'FhirException';
  }
}
