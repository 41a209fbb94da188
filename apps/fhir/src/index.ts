export { FhirConfig } from './fhir.config';
export { createFhirApp, startFhirService, fhirDescriptor } from './fhir.service-app';
