import type { ResourceType } from '@medplum/fhirtypes';

/** https://hl7.org/fhir/R4/valueset-search-param-type.html */
export type SearchParameterType =
  | 'number'
  | 'date'
  | 'string'
  | 'token'
  | 'reference'
  | 'composite'
  | 'quantity'
  | 'uri'
  | 'special';

/**
 * The subset of a FHIR SearchParameter resource the server needs to parse and run a search.
 * Expressions are copied verbatim from the published SearchParameter they cite in `url`, so that
 * the query layer and the CapabilityStatement agree with the spec rather than with our memory of it.
 * https://hl7.org/fhir/R4/searchparameter.html
 */
export interface SearchParameterDefinition {
  /** The name used in the query string. */
  readonly code: string;
  readonly type: SearchParameterType;
  /** Resource types the parameter applies to; `Resource` means every type. */
  readonly base: readonly (ResourceType | 'Resource')[];
  /** FHIRPath selecting the values to match. */
  readonly expression: string;
  /** Canonical URL of the SearchParameter the definition is copied from. */
  readonly url: string;
  /** Reference parameters: the resource types the reference may point to. */
  readonly target?: readonly ResourceType[];
  /**
   * Token parameters with a closed value set. Anything else is refused with "not a valid value"
   * instead of silently matching nothing (seed 002: `type=CARRIER` is a 400).
   */
  readonly allowedValues?: AllowedTokenValues;
}

export interface AllowedTokenValues {
  /** Systems a `system|code` value may name. Compared exactly, as URIs are. */
  readonly systems: readonly string[];
  /** Codes, compared case-sensitively as FHIR codes are. */
  readonly codes: readonly string[];
}
