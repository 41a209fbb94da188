/** The fhir schema's migrations, oldest first. */
export const FHIR_MIGRATIONS: (new () => object)[] = [];
