/**
 * FHIR R4 building blocks for the Patient Access API, free of any web framework.
 *
 * A search handler is meant to read as: parse, query, bundle.
 *
 *   const registry = createSearchParameterRegistry(patientAccessSearchParameters({ eobTypeSystems }));
 *   const parsed = parseSearchRequest(type, req.query, registry, { maxCount });
 *   if (!parsed.ok) return send(searchErrorOutcome(parsed.error));        // 400 OperationOutcome
 *   const { resources, total, included } = await store.search(parsed.request, patientId);
 *   return searchsetBundle({ baseUrl, resourceType: type, entries: resources, total,
 *                            request: parsed.request, includes: included });
 *
 * Errors the domain cannot express as a search error (404, 401, 403, 500) come from the named
 * OperationOutcome builders, each with its HTTP status.
 */

// OperationOutcome builders: every error the FHIR service returns, with its HTTP status.
export {
  badRequest,
  forbidden,
  notFound,
  notSupported,
  operationOutcome,
  searchErrorOutcome,
  serverError,
  serviceUnavailable,
  unauthorized,
  type FhirOutcome,
  type IssueSeverity,
  type IssueType,
  type OperationOutcomeOptions,
} from './outcome/operation-outcome.builder';

// The id datatype, for reads, references and stored resources.
export { FHIR_ID_PATTERN, isFhirId } from './fhir-id';

// Search-parameter definitions and their registry.
export type {
  AllowedTokenValues,
  SearchParameterDefinition,
  SearchParameterType,
} from './search/search-parameter.model';
export { createSearchParameterRegistry, type SearchParameterRegistry } from './search/search-parameter.registry';
export { RESOURCE_SEARCH_PARAMETERS } from './search/definitions/resource.search-parameters';
export { US_CORE_PATIENT_SEARCH_PARAMETERS } from './search/definitions/us-core-patient.search-parameters';
export {
  BLUE_BUTTON_EOB_TYPE_SYSTEM,
  EOB_TYPE_CODES,
  carinBlueButtonSearchParameters,
  eobTypeSystemAliases,
  type CarinBlueButtonSearchOptions,
  type EobTypeCode,
} from './search/definitions/carin-bb.search-parameters';
export { US_CORE_CLINICAL_SEARCH_PARAMETERS } from './search/definitions/us-core-clinical.search-parameters';
export { DIRECTORY_SEARCH_PARAMETERS } from './search/definitions/directory.search-parameters';
export {
  patientAccessSearchParameters,
  type PatientAccessSearchOptions,
} from './search/definitions/patient-access.search-parameters';

// Search request parsing.
export { parseSearchRequest, type SearchQuery } from './search/search-request.parser';
export { parseFhirDate, parseFhirInstant, type ParsedFhirDate, type ParsedFhirInstant } from './search/fhir-date.parser';
export {
  DEFAULT_SEARCH_COUNT,
  MAX_SEARCH_COUNT,
  SEARCH_PREFIXES,
  type DatePrecision,
  type DateRange,
  type DateSearchValue,
  type IncludeTarget,
  type NumberSearchValue,
  type QuantitySearchValue,
  type QueryParameter,
  type ReferenceSearchValue,
  type ResponseFormat,
  type SearchClause,
  type SearchError,
  type SearchErrorCode,
  type SearchParseResult,
  type SearchParserOptions,
  type SearchPrefix,
  type SearchRequest,
  type SortRule,
  type StringMatch,
  type TokenSearchValue,
} from './search/search-request.model';
export { formatSearchUrl } from './search/search-url.formatter';

// Searchset Bundles with paging links.
export {
  pageOffsets,
  searchsetBundle,
  type BundleDependencies,
  type PageOffsets,
  type SearchPage,
  type SearchsetBundleInput,
} from './bundle/searchset-bundle.builder';
export { SANDBOX_MEMBERS, type SandboxMember } from './sandbox-members';

// Sensitivity labels: which records a grant that withholds sensitive data must not see.
export {
  ACT_CODE_SYSTEM,
  CONFIDENTIALITY_SYSTEM,
  DEFAULT_SENSITIVE_CODES,
  applySensitivityLabels,
  parseSensitiveCodeList,
  sensitivityLabelsOf,
  type SecurityCoding,
  type SensitiveCategory,
  type SensitiveCodeList,
} from './sensitivity/sensitivity-labels';
