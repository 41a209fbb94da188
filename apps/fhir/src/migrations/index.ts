import { CreateResourceStore1732370000000 } from './1732370000000-create-resource-store';

/** The fhir schema's migrations, oldest first. */
export const FHIR_MIGRATIONS: (new () => object)[] = [CreateResourceStore1732370000000];
