import type { SearchParameterDefinition } from '../search-parameter.model';
import { carinBlueButtonSearchParameters, type CarinBlueButtonSearchOptions } from './carin-bb.search-parameters';
import { DIRECTORY_SEARCH_PARAMETERS } from './directory.search-parameters';
import { RESOURCE_SEARCH_PARAMETERS } from './resource.search-parameters';
import { US_CORE_CLINICAL_SEARCH_PARAMETERS } from './us-core-clinical.search-parameters';
import { US_CORE_PATIENT_SEARCH_PARAMETERS } from './us-core-patient.search-parameters';

export type PatientAccessSearchOptions = CarinBlueButtonSearchOptions;

/** Every search the Patient Access FHIR service offers (docs/product.md#fhir-service). */
export function patientAccessSearchParameters(
  options: PatientAccessSearchOptions = {},
): readonly SearchParameterDefinition[] {
  return [
    ...RESOURCE_SEARCH_PARAMETERS,
    ...US_CORE_PATIENT_SEARCH_PARAMETERS,
    ...carinBlueButtonSearchParameters(options),
    ...US_CORE_CLINICAL_SEARCH_PARAMETERS,
    ...DIRECTORY_SEARCH_PARAMETERS,
  ];
}
