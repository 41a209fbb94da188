import { PAYER_IDENTIFIER_SYSTEM } from './consent.rules';

/** OpenAPI shape and examples of `$member-match` (the sandbox's Jane Doe, matched by her old coverage). */
export const PARAMETERS_SCHEMA = {
  type: 'object',
  properties: {
    resourceType: { type: 'string', example: 'Parameters' },
    parameter: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: true } },
  },
  required: ['resourceType', 'parameter'],
};

export const MEMBER_MATCH_REQUEST_EXAMPLE = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family: 'Doe', given: ['Jane'] }], gender: 'unknown', birthDate: '2014-06-01' } },
    {
      name: 'CoverageToMatch',
      resource: { resourceType: 'Coverage', status: 'active', subscriberId: '20140000008325', beneficiary: { reference: 'Patient/1' }, payor: [{ display: 'payer-access sandbox plan' }] },
    },
    {
      name: 'Consent',
      resource: {
        resourceType: 'Consent',
        status: 'active',
        scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IDSCL' }] }],
        patient: { reference: 'Patient/1' },
        performer: [{ identifier: { system: PAYER_IDENTIFIER_SYSTEM, value: 'SbxDemoPayer00000001' } }],
        policy: [{ uri: 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular' }],
        provision: { type: 'permit', period: { start: '2026-01-01', end: '2027-01-01' } },
      },
    },
  ],
};

export const MEMBER_MATCH_RESPONSE_EXAMPLE = {
  resourceType: 'Parameters',
  parameter: [
    {
      name: 'MemberIdentifier',
      valueIdentifier: {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB', display: 'Member Number' }] },
        system: 'https://bluebutton.cms.gov/resources/variables/bene_id',
        value: '-20140000008325',
      },
    },
    { name: 'MemberId', valueReference: { reference: 'Patient/-20140000008325' } },
  ],
};
