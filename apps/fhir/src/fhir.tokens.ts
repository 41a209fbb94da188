/** Injection tokens of the fhir service. */
export const FHIR_CONFIG = Symbol('FHIR_CONFIG');
export const SEARCH_REGISTRY = Symbol('SEARCH_REGISTRY');
