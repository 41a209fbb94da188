import type { SearchError, SearchErrorCode } from './search-request.model';

/** What each step of the parser returns: a value, or the error that stops the whole parse. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | Failure;
export type Failure = { readonly ok: false; readonly error: SearchError };

export function success<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function failure(code: SearchErrorCode, parameter: string | undefined, diagnostics: string): Failure {
  return { ok: false, error: parameter === undefined ? { code, diagnostics } : { code, diagnostics, parameter } };
}

const MAX_QUOTED_LENGTH = 80;

/** Quotes client input for a diagnostic, cut short so that a huge value cannot bloat the response. */
export function quote(value: string): string {
  return value.length > MAX_QUOTED_LENGTH ? `'${value.slice(0, MAX_QUOTED_LENGTH)}…'` : `'${value}'`;
}
