import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { SearchParameterRegistry } from '@payer-access/fhir-models';

/** The profile each served type's resources claim in `meta.profile` (CARIN Blue Button, US Core). */
export const SUPPORTED_PROFILES: Readonly<Record<string, readonly string[]>> = {
  Patient: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient'],
  Coverage: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage'],
  ExplanationOfBenefit: [
    'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional',
    'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Outpatient-Institutional',
    'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician',
    'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy',
  ],
  Organization: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization'],
  Practitioner: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Practitioner'],
  RelatedPerson: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-RelatedPerson'],
};

/**
 * The operations served on Patient: HRex `$member-match` for payers' backends (Payer-to-Payer,
 * CMS-0057-F) and `$everything` over the caller's compartment.
 */
export const PATIENT_OPERATIONS = [
  { name: 'member-match', definition: 'http://hl7.org/fhir/us/davinci-hrex/OperationDefinition/member-match' },
  { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
];

/**
 * The bulk operations of Payer-to-Payer (PDex, Bulk Data 2.0), served on Group: a payer's
 * `$bulk-member-match` and the export of its result Groups.
 */
export const GROUP_OPERATIONS = [
  { name: 'bulk-member-match', definition: 'http://hl7.org/fhir/us/davinci-pdex/OperationDefinition/BulkMemberMatch' },
  { name: 'davinci-data-export', definition: 'http://hl7.org/fhir/us/davinci-pdex/OperationDefinition/GroupExport' },
  { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' },
];

export interface CapabilityOptions {
  readonly baseUrl: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  readonly introspectionUrl: string;
  readonly software: { name: string; version: string };
  readonly date: string;
}

/**
 * The CapabilityStatement, generated from the search parameters the server actually runs, with the
 * SMART on FHIR security extension naming the authorization server's endpoints.
 * https://hl7.org/fhir/smart-app-launch/STU1/conformance/index.html#declaring-support-for-oauth2-endpoints
 */
export function buildCapabilityStatement(registry: SearchParameterRegistry, options: CapabilityOptions): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = registry.resourceTypes.map((type) => {
    const parameters = registry.forResourceType(type);
    const references = parameters.filter((parameter) => parameter.type === 'reference');
    const profiles = SUPPORTED_PROFILES[type] ?? usCoreProfile(type);
    return {
      type,
      ...(profiles.length > 0 ? { supportedProfile: [...profiles] } : {}),
      interaction: [{ code: 'read' }, { code: 'search-type' }],
      versioning: 'versioned',
      readHistory: false,
      updateCreate: false,
      ...(references.length > 0 ? { searchInclude: [`${type}:*`, ...references.map((parameter) => `${type}:${parameter.code}`)] } : {}),
      searchParam: parameters.map((parameter) => ({ name: parameter.code, definition: parameter.url, type: parameter.type })),
      ...(type === 'Patient' ? { operation: PATIENT_OPERATIONS.map((operation) => ({ ...operation })) } : {}),
    };
  });
  // Group is no searchable type of the store: the payer's result Groups are read and exported only.
  resource.push({ type: 'Group', interaction: [{ code: 'read' }], operation: GROUP_OPERATIONS.map((operation) => ({ ...operation })) });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.date,
    publisher: 'payer-access',
    kind: 'instance',
    software: options.software,
    implementation: { description: 'Patient Access API', url: options.baseUrl },
    fhirVersion: '4.0.1',
    format: ['json', 'application/json', 'application/fhir+json'],
    instantiates: [
      'http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb',
      'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server',
      'http://hl7.org/fhir/us/davinci-pdex/CapabilityStatement/pdex-server',
    ],
    rest: [
      {
        mode: 'server',
        security: {
          cors: true,
          service: [
            {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
              text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)',
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: options.authorizationUrl },
                { url: 'token', valueUri: options.tokenUrl },
                { url: 'revoke', valueUri: options.revocationUrl },
                { url: 'introspect', valueUri: options.introspectionUrl },
              ],
            },
          ],
        },
        resource,
      },
    ],
  };
}

function usCoreProfile(type: string): string[] {
  const known: Record<string, string> = {
    Condition: 'us-core-condition-problems-health-concerns',
    Observation: 'us-core-observation-lab',
    DiagnosticReport: 'us-core-diagnosticreport-lab',
  };
  const name = known[type] ?? `us-core-${type.toLowerCase()}`;
  return [`http://hl7.org/fhir/us/core/StructureDefinition/${name}`];
}
