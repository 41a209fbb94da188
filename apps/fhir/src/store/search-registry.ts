import {
  BLUE_BUTTON_EOB_TYPE_SYSTEM,
  createSearchParameterRegistry,
  eobTypeSystemAliases,
  patientAccessSearchParameters,
  type SearchParameterRegistry,
} from '@payer-access/fhir-models';

/**
 * The search parameters this deployment runs, with seed 002's claim-type system spellings on its host.
 * A module of its own so that the loader's worker threads build the same registry without the service.
 */
export function createFhirSearchRegistry(config: { readonly FHIR_PUBLIC_URL: string }): SearchParameterRegistry {
  return createSearchParameterRegistry(
    patientAccessSearchParameters({ eobTypeSystems: [BLUE_BUTTON_EOB_TYPE_SYSTEM, ...eobTypeSystemAliases(config.FHIR_PUBLIC_URL)] }),
  );
}
