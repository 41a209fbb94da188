export {
  generateSyntheticData,
  sandboxDataSet,
  SANDBOX_CLAIM_MIX,
  PAYER_ORGANIZATION_ID,
  type SyntheticDataOptions,
} from './synthetic-data.generator';
export { writeNdjson, type NdjsonWriteReport } from './ndjson.writer';
export { fhirSchemaErrors } from './fhir-schema.validator';
