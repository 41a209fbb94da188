import type { SearchParameterDefinition } from '../search-parameter.model';

const US_CORE = 'http://hl7.org/fhir/us/core/SearchParameter';

/** US Core Patient searches. https://hl7.org/fhir/us/core/StructureDefinition-us-core-patient.html */
export const US_CORE_PATIENT_SEARCH_PARAMETERS: readonly SearchParameterDefinition[] = [
  {
    code: 'identifier',
    type: 'token',
    base: ['Patient'],
    expression: 'Patient.identifier',
    url: `${US_CORE}/us-core-patient-identifier`,
  },
  {
    code: 'name',
    type: 'string',
    base: ['Patient'],
    expression: 'Patient.name',
    url: `${US_CORE}/us-core-patient-name`,
  },
  {
    code: 'birthdate',
    type: 'date',
    base: ['Patient'],
    expression: 'Patient.birthDate',
    url: `${US_CORE}/us-core-patient-birthdate`,
  },
  {
    code: 'gender',
    type: 'token',
    base: ['Patient'],
    expression: 'Patient.gender',
    url: `${US_CORE}/us-core-patient-gender`,
  },
];
