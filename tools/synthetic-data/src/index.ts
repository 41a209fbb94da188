export {
  generateSyntheticData,
  sandboxDataSet,
  SANDBOX_CLAIM_MIX,
  PAYER_ORGANIZATION_ID,
  type SyntheticDataOptions,
} from './synthetic-data.generator';
export { PAYER_MATCH_MEMBERS, PAYER_MEMBER_CLAIM_DAYS_AGO, MBI_SYSTEM, type PayerMatchMember } from './payer-members';
export { writeNdjson, type NdjsonWriteReport } from './ndjson.writer';
export { fhirSchemaErrors } from './fhir-schema.validator';
export { SeededRandom } from './random';
