import { MEMBER_MATCH_REQUEST_EXAMPLE } from '../member-match/member-match.examples';
import { MATCH_RESULT_SYSTEM } from './bulk-groups';

/** OpenAPI examples of the bulk routes (the sandbox's Jane Doe again, as the one member of a bulk match). */
export const BULK_MEMBER_MATCH_REQUEST_EXAMPLE = {
  resourceType: 'Parameters',
  parameter: [{ name: 'MemberBundle', part: MEMBER_MATCH_REQUEST_EXAMPLE.parameter }],
};

const GROUP_ID = '0b7c1a52-5d1e-4b8e-9a53-1f0c2d6e8a10';
const JOB_ID = '4f6a2c1e-8b3d-4e5f-a6b7-c8d9e0f1a2b3';
const BASE = 'http://localhost:3003/fhir/sb/R4/patientaccess';

export const MATCHED_GROUP_EXAMPLE = {
  resourceType: 'Group',
  id: GROUP_ID,
  meta: { profile: ['http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-member-match-group'], lastUpdated: '2026-12-01T10:00:00.000Z' },
  active: true,
  type: 'person',
  actual: true,
  name: 'MatchedMembers',
  characteristic: [{ code: { coding: [{ system: MATCH_RESULT_SYSTEM, code: 'match', display: 'Matched' }] }, valueBoolean: true, exclude: false }],
  managingEntity: { identifier: { system: 'urn:payer-access:client-id', value: 'SbxDemoPayer00000001' } },
  quantity: 1,
  member: [{ entity: { reference: 'Patient/-20140000008325', identifier: { system: `${BASE}/Patient`, value: '-20140000008325' } } }],
};

export const BULK_MEMBER_MATCH_RESULT_EXAMPLE = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'MatchedMembers', resource: MATCHED_GROUP_EXAMPLE },
    { name: 'NonMatchedMembers', resource: { ...MATCHED_GROUP_EXAMPLE, id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', name: 'NonMatchedMembers', quantity: 0, member: undefined } },
    { name: 'ConsentConstrainedMembers', resource: { ...MATCHED_GROUP_EXAMPLE, id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', name: 'ConsentConstrainedMembers', quantity: 0, member: undefined } },
  ],
};

export const KICK_OFF_EXAMPLE = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'information', code: 'informational', diagnostics: `Accepted; poll ${BASE}/bulk-status/${JOB_ID}` }],
};

export const MANIFEST_EXAMPLE = {
  transactionTime: '2026-12-01T10:00:00.000Z',
  request: `${BASE}/Group/${GROUP_ID}/$davinci-data-export?_type=Patient,ExplanationOfBenefit`,
  requiresAccessToken: true,
  output: [
    { type: 'Patient', url: `${BASE}/bulk-files/${JOB_ID}/Patient.ndjson`, count: 1 },
    { type: 'ExplanationOfBenefit', url: `${BASE}/bulk-files/${JOB_ID}/ExplanationOfBenefit.ndjson`, count: 42 },
  ],
  error: [],
};

export const MANIFEST_SCHEMA = {
  type: 'object',
  properties: {
    transactionTime: { type: 'string', format: 'date-time' },
    request: { type: 'string' },
    requiresAccessToken: { type: 'boolean' },
    output: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, url: { type: 'string' }, count: { type: 'integer' } } } },
    error: { type: 'array', items: { type: 'object' } },
  },
  required: ['transactionTime', 'request', 'requiresAccessToken', 'output', 'error'],
};

export const EXAMPLE_IDS = { group: GROUP_ID, job: JOB_ID };
