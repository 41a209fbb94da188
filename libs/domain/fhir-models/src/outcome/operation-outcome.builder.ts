import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { SearchError } from '../search/search-request.model';

/** Issue severities and codes come from the R4 value sets, via the generated types. */
export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueType = OperationOutcomeIssue['code'];

/**
 * An OperationOutcome paired with the HTTP status it travels with, so that the domain decides both
 * and the web layer only serializes. https://hl7.org/fhir/R4/http.html#2.21.0.6
 */
export interface FhirOutcome {
  readonly status: number;
  readonly outcome: OperationOutcome;
}

export interface OperationOutcomeOptions {
  /** FHIRPath expressions (or, for search, the parameter names) the issue is about. */
  readonly expression?: string | readonly string[];
}

/**
 * Builds a single-issue OperationOutcome. The message goes into both `diagnostics` and
 * `details.text`: clients in the wild read one or the other (seed 002 shows a bare "detail"), and
 * neither field is machine-interpreted. https://hl7.org/fhir/R4/operationoutcome.html
 */
export function operationOutcome(
  severity: IssueSeverity,
  code: IssueType,
  diagnostics: string,
  opts: OperationOutcomeOptions = {},
): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code, details: { text: diagnostics }, diagnostics };
  const expression = opts.expression === undefined ? [] : ([] as string[]).concat(opts.expression);
  return {
    resourceType: 'OperationOutcome',
    issue: [expression.length > 0 ? { ...issue, expression } : issue],
  };
}

function errorOutcome(status: number, code: IssueType, diagnostics: string, expression?: string): FhirOutcome {
  return { status, outcome: operationOutcome('error', code, diagnostics, { expression }) };
}

/** 400: the request is malformed or names a value the server does not accept. */
export function badRequest(diagnostics: string, expression?: string): FhirOutcome {
  return errorOutcome(400, 'invalid', diagnostics, expression);
}

/** 400 for a well-formed request that uses a feature this server does not implement. */
export function notSupported(diagnostics: string, expression?: string): FhirOutcome {
  return errorOutcome(400, 'not-supported', diagnostics, expression);
}

/**
 * 404. Also what a member sees for another member's resource: for them it does not exist, and
 * saying "forbidden" would confirm that it does.
 */
export function notFound(resourceType: string, id: string): FhirOutcome {
  return errorOutcome(404, 'not-found', `Resource ${resourceType}/${id} is not known`);
}

/** 403: authenticated, but the token's scopes do not cover the request. */
export function forbidden(message: string): FhirOutcome {
  return errorOutcome(403, 'forbidden', message);
}

/** 401: no token, or one that is expired, revoked or issued to a client no longer approved. */
export function unauthorized(message: string): FhirOutcome {
  return errorOutcome(401, 'login', message);
}

/** 503: the service cannot answer safely now (e.g. it cannot tell whether a token's client is still approved); retry later. */
export function serviceUnavailable(message: string): FhirOutcome {
  return errorOutcome(503, 'transient', message);
}

/**
 * 500. Takes no argument on purpose: whatever went wrong stays in the server log, so that stack
 * traces, SQL and hostnames never reach a client.
 */
export function serverError(): FhirOutcome {
  return errorOutcome(500, 'exception', 'An unexpected error occurred');
}

/**
 * 400 for a search the parser refused, with the parser's issue code (`code-invalid` for a value
 * outside a closed vocabulary, `not-supported` for an unknown parameter...) and the parameter as
 * the issue's expression.
 */
export function searchErrorOutcome(error: SearchError): FhirOutcome {
  return errorOutcome(400, error.code, error.diagnostics, error.parameter);
}
