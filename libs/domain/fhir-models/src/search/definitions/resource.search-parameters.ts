import type { SearchParameterDefinition } from '../search-parameter.model';

/** Parameters every resource type supports. https://hl7.org/fhir/R4/search.html#all */
export const RESOURCE_SEARCH_PARAMETERS: readonly SearchParameterDefinition[] = [
  {
    code: '_id',
    type: 'token',
    base: ['Resource'],
    expression: 'Resource.id',
    url: 'http://hl7.org/fhir/SearchParameter/Resource-id',
  },
  {
    code: '_lastUpdated',
    type: 'date',
    base: ['Resource'],
    expression: 'Resource.meta.lastUpdated',
    url: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated',
  },
];
