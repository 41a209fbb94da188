import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { SearchParameterDefinition } from './search-parameter.model';

/** Comparison prefixes of ordered parameters. https://hl7.org/fhir/R4/search.html#prefix */
export const SEARCH_PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type SearchPrefix = (typeof SEARCH_PREFIXES)[number];

export type DatePrecision = 'year' | 'month' | 'day' | 'minute' | 'second' | 'millisecond';

/**
 * The interval a date search value stands for: a value is only as precise as it is written, so
 * `2020-02` means every instant of February 2020. https://hl7.org/fhir/R4/search.html#date
 * Both ends are UTC ISO-8601 instants; `start` is inclusive and `end` exclusive.
 */
export interface DateRange {
  readonly start: string;
  readonly end: string;
  readonly precision: DatePrecision;
}

export interface DateSearchValue {
  readonly prefix: SearchPrefix;
  readonly range: DateRange;
}

export interface NumberSearchValue {
  readonly prefix: SearchPrefix;
  readonly value: number;
}

/** https://hl7.org/fhir/R4/search.html#quantity */
export interface QuantitySearchValue {
  readonly prefix: SearchPrefix;
  readonly value: number;
  /** Absent: any system; '' (from `5||mg`): units compared by code whatever their system. */
  readonly system?: string;
  readonly code?: string;
}

/**
 * https://hl7.org/fhir/R4/search.html#token
 * - `code`: `code` set, `system` absent (any system);
 * - `system|code`: both set;
 * - `|code`: `system` is '' (the coding must have no system);
 * - `system|`: `code` absent (any code of that system).
 */
export interface TokenSearchValue {
  readonly system?: string;
  readonly code?: string;
}

/**
 * https://hl7.org/fhir/R4/search.html#reference
 * `resourceType` is set whenever it is known: written (`Patient/123`, a full URL), given as a type
 * modifier (`patient:Patient=123`), or implied because the parameter targets a single type.
 */
export interface ReferenceSearchValue {
  readonly resourceType?: string;
  readonly id: string;
  /** The absolute URL as written, for the server to check that it is one of its own. */
  readonly url?: string;
}

export type StringMatch = 'starts-with' | 'exact' | 'contains';

interface ClauseBase {
  readonly parameter: SearchParameterDefinition;
  /** The name as written in the query, modifier included (`identifier:not`). */
  readonly name: string;
}

/**
 * One query parameter. A request ANDs its clauses; a clause ORs its values (the comma list).
 * https://hl7.org/fhir/R4/search.html#combining
 */
export type SearchClause =
  | (ClauseBase & { readonly kind: 'missing'; readonly missing: boolean })
  | (ClauseBase & { readonly kind: 'token'; readonly not: boolean; readonly values: readonly TokenSearchValue[] })
  | (ClauseBase & { readonly kind: 'string'; readonly match: StringMatch; readonly values: readonly string[] })
  | (ClauseBase & { readonly kind: 'reference'; readonly values: readonly ReferenceSearchValue[] })
  | (ClauseBase & { readonly kind: 'date'; readonly values: readonly DateSearchValue[] })
  | (ClauseBase & { readonly kind: 'number'; readonly values: readonly NumberSearchValue[] })
  | (ClauseBase & { readonly kind: 'quantity'; readonly values: readonly QuantitySearchValue[] })
  | (ClauseBase & { readonly kind: 'uri'; readonly values: readonly string[] });

export interface SortRule {
  readonly parameter: SearchParameterDefinition;
  readonly descending: boolean;
}

/**
 * `_include` / `_revinclude`: follow `parameters` (reference parameters of `sourceType`) and keep
 * only references to `targetType` when one is given. https://hl7.org/fhir/R4/search.html#include
 */
export interface IncludeTarget {
  readonly sourceType: string;
  readonly parameters: readonly SearchParameterDefinition[];
  readonly targetType?: string;
}

/** The media type to answer with. https://hl7.org/fhir/R4/http.html#mime-type */
export type ResponseFormat = 'application/fhir+json' | 'application/json';

export interface QueryParameter {
  readonly name: string;
  readonly value: string;
}

export interface SearchRequest {
  readonly resourceType: string;
  readonly clauses: readonly SearchClause[];
  /** Page size after clamping to the configured maximum. */
  readonly count: number;
  /** Zero-based offset of the page's first match (seed 002's `startIndex`). */
  readonly startIndex: number;
  readonly sort: readonly SortRule[];
  readonly include: readonly IncludeTarget[];
  readonly revInclude: readonly IncludeTarget[];
  /** `_summary=count`: answer with the total only. */
  readonly summary?: 'count';
  readonly elements?: readonly string[];
  readonly format?: ResponseFormat;
  readonly pretty?: boolean;
  /**
   * Every accepted parameter except `_count` and `startIndex`, in query order and canonical form
   * (a `+` that arrived decoded as a space is restored): what each paging link must repeat.
   */
  readonly linkParameters: readonly QueryParameter[];
}

/** The FHIR issue codes a search error maps to. */
export type SearchErrorCode = Extract<OperationOutcomeIssue['code'], 'invalid' | 'not-supported' | 'code-invalid'>;

export interface SearchError {
  readonly code: SearchErrorCode;
  readonly diagnostics: string;
  /** The offending query parameter, as written; absent when the resource type itself is refused. */
  readonly parameter?: string;
}

export type SearchParseResult =
  | { readonly ok: true; readonly request: SearchRequest }
  | { readonly ok: false; readonly error: SearchError };

export interface SearchParserOptions {
  /** Page size when `_count` is absent; seed 002 pages by 10. */
  readonly defaultCount?: number;
  /** Larger `_count` values are lowered to this (R4 lets a server return fewer than asked). */
  readonly maxCount?: number;
  /**
   * Offset, in minutes east of UTC, assumed for dates and times written without one. R4 says to
   * assume the server's zone; we make it explicit so results do not depend on the host's TZ.
   */
  readonly defaultTimezoneOffsetMinutes?: number;
}

export const DEFAULT_SEARCH_COUNT = 10;
export const MAX_SEARCH_COUNT = 100;
