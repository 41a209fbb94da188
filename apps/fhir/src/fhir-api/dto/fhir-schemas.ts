/**
 * OpenAPI shapes of the FHIR payloads, with examples from seed 002. FHIR resources are open JSON
 * objects defined by the spec, so these document the envelope rather than every element.
 */
export const OPERATION_OUTCOME_SCHEMA = {
  type: 'object',
  properties: { resourceType: { type: 'string', example: 'OperationOutcome' }, issue: { type: 'array', items: { type: 'object' } } },
  example: {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'code-invalid',
        details: { text: "'CARRIER' is not a valid value for type; expected one of carrier, pde, dme, hha, hospice, inpatient, outpatient, snf (codes are case-sensitive)" },
        diagnostics: "'CARRIER' is not a valid value for type; expected one of carrier, pde, dme, hha, hospice, inpatient, outpatient, snf (codes are case-sensitive)",
        expression: ['type'],
      },
    ],
  },
};

export const RESOURCE_SCHEMA = {
  type: 'object',
  properties: { resourceType: { type: 'string' }, id: { type: 'string' }, meta: { type: 'object' } },
  additionalProperties: true,
  example: {
    resourceType: 'Patient',
    id: '-20140000008325',
    meta: { versionId: '1', lastUpdated: '2020-03-04T12:00:00.000Z', profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient'] },
    name: [{ use: 'usual', family: 'Doe', given: ['Jane', 'X'] }],
    gender: 'unknown',
    birthDate: '2014-06-01',
    address: [{ district: '999', state: '15', postalCode: '99999' }],
  },
};

export const BUNDLE_SCHEMA = {
  type: 'object',
  properties: {
    resourceType: { type: 'string', example: 'Bundle' },
    type: { type: 'string', example: 'searchset' },
    total: { type: 'integer', example: 148 },
    link: { type: 'array', items: { type: 'object', properties: { relation: { type: 'string' }, url: { type: 'string' } } } },
    entry: { type: 'array', items: { type: 'object' } },
  },
  example: {
    resourceType: 'Bundle',
    id: '9562c9b7-df79-419a-a94b-ef8cc9347e0e',
    meta: { lastUpdated: '2019-11-05T22:05:48.257-05:00' },
    type: 'searchset',
    total: 148,
    link: [
      { relation: 'self', url: 'http://localhost:3003/fhir/sb/R4/patientaccess/ExplanationOfBenefit?_count=10&startIndex=0&patient=-20140000000024' },
      { relation: 'first', url: 'http://localhost:3003/fhir/sb/R4/patientaccess/ExplanationOfBenefit?_count=10&startIndex=0&patient=-20140000000024' },
      { relation: 'next', url: 'http://localhost:3003/fhir/sb/R4/patientaccess/ExplanationOfBenefit?_count=10&startIndex=10&patient=-20140000000024' },
      { relation: 'last', url: 'http://localhost:3003/fhir/sb/R4/patientaccess/ExplanationOfBenefit?_count=10&startIndex=140&patient=-20140000000024' },
    ],
    entry: [{ fullUrl: 'http://localhost:3003/fhir/sb/R4/patientaccess/ExplanationOfBenefit/carrier-22011027731', resource: { resourceType: 'ExplanationOfBenefit', id: 'carrier-22011027731' }, search: { mode: 'match' } }],
  },
};

export const USERINFO_SCHEMA = {
  type: 'object',
  properties: {
    sub: { type: 'string' },
    patient: { type: 'string' },
    fhirUser: { type: 'string' },
    name: { type: 'string' },
    given_name: { type: 'string' },
    family_name: { type: 'string' },
    birthdate: { type: 'string' },
  },
  example: { sub: 'member-7f3c', patient: '-20140000008325', fhirUser: 'Patient/-20140000008325', name: 'Jane X Doe', given_name: 'Jane', family_name: 'Doe', birthdate: '2014-06-01' },
};
