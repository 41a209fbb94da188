import type { SearchParameterDefinition } from '../search-parameter.model';

const R4 = 'http://hl7.org/fhir/SearchParameter';
const US_CORE = 'http://hl7.org/fhir/us/core/SearchParameter';

/**
 * Searches on the Practitioner, Organization and Location resources that claims and clinical data
 * reference: US Core where it defines one, the base R4 parameter otherwise.
 */
export const DIRECTORY_SEARCH_PARAMETERS: readonly SearchParameterDefinition[] = [
  {
    code: 'identifier',
    type: 'token',
    base: ['Practitioner'],
    expression: 'Practitioner.identifier',
    url: `${US_CORE}/us-core-practitioner-identifier`,
  },
  {
    code: 'name',
    type: 'string',
    base: ['Practitioner'],
    expression: 'Practitioner.name',
    url: `${US_CORE}/us-core-practitioner-name`,
  },
  {
    code: 'identifier',
    type: 'token',
    base: ['Organization'],
    expression: 'Organization.identifier',
    url: `${R4}/Organization-identifier`,
  },
  {
    code: 'name',
    type: 'string',
    base: ['Organization'],
    expression: 'Organization.name|Organization.alias',
    url: `${US_CORE}/us-core-organization-name`,
  },
  {
    code: 'identifier',
    type: 'token',
    base: ['Location'],
    expression: 'Location.identifier',
    url: `${R4}/Location-identifier`,
  },
  {
    code: 'name',
    type: 'string',
    base: ['Location'],
    expression: 'Location.name|Location.alias',
    url: `${US_CORE}/us-core-location-name`,
  },
];
