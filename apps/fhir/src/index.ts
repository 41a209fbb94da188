export { FhirConfig, fhirBaseUrl } from './fhir.config';
export { createFhirApp, startFhirService, fhirDescriptor, type FhirServiceOptions } from './fhir.service-app';
export { createFhirSearchRegistry } from './fhir-core.module';
export { ResourceRepository } from './store/resource.repository';
export { SearchIndexer } from './store/search-indexer';
export { NdjsonLoader, type LoadReport, type LoadProgress } from './loader/ndjson-loader';
export { sensitiveCodesFrom } from './loader/sensitive-codes';
export { FHIR_MIGRATIONS } from './migrations';
export { FHIR_SCHEMA } from './app.module';
