import type { SearchParameterDefinition } from '../search-parameter.model';

const R4 = 'http://hl7.org/fhir/SearchParameter';
const CARIN_BB = 'http://hl7.org/fhir/us/carin-bb/SearchParameter';

/** The claim types of the Blue Button eob-type code system, in the order seed 002 lists them. */
export const EOB_TYPE_CODES = ['carrier', 'pde', 'dme', 'hha', 'hospice', 'inpatient', 'outpatient', 'snf'] as const;
export type EobTypeCode = (typeof EOB_TYPE_CODES)[number];

/** https://bluebutton.cms.gov/resources/codesystem/eob-type */
export const BLUE_BUTTON_EOB_TYPE_SYSTEM = 'https://bluebutton.cms.gov/resources/codesystem/eob-type';

/**
 * Seed 002 publishes the eob-type code system under the plan's own host and spells its path both
 * `eob-type` and `eobtype`. A deployment that wants those `system|code` forms to work accepts these
 * two aliases for its host, explicitly: code systems are URIs and are compared exactly, so we do not
 * guess from a path suffix (which would also accept any other host's `/eob-type`).
 */
export function eobTypeSystemAliases(publicBaseUrl: string): string[] {
  const origin = new URL(publicBaseUrl).origin;
  return [`${origin}/resources/codesystem/eob-type`, `${origin}/resources/codesystem/eobtype`];
}

export interface CarinBlueButtonSearchOptions {
  /** Systems accepted in `type=system|code`; defaults to the Blue Button one only. */
  readonly eobTypeSystems?: readonly string[];
}

/**
 * Coverage and ExplanationOfBenefit searches of the CARIN IG for Blue Button (plus the base R4 ones
 * it leaves to the core spec), with the sandbox's claim-type vocabulary on `type`.
 * https://hl7.org/fhir/us/carin-bb/CapabilityStatement-c4bb.html
 */
export function carinBlueButtonSearchParameters(
  options: CarinBlueButtonSearchOptions = {},
): readonly SearchParameterDefinition[] {
  const eobTypeSystems = options.eobTypeSystems ?? [BLUE_BUTTON_EOB_TYPE_SYSTEM];
  return [
    {
      code: 'beneficiary',
      type: 'reference',
      base: ['Coverage'],
      expression: 'Coverage.beneficiary',
      url: `${R4}/Coverage-beneficiary`,
      target: ['Patient'],
    },
    {
      code: 'patient',
      type: 'reference',
      base: ['Coverage'],
      expression: 'Coverage.beneficiary',
      url: `${R4}/Coverage-patient`,
      target: ['Patient'],
    },
    {
      code: 'payor',
      type: 'reference',
      base: ['Coverage'],
      expression: 'Coverage.payor',
      url: `${CARIN_BB}/coverage-payor`,
      target: ['Organization', 'Patient', 'RelatedPerson'],
    },
    {
      code: 'identifier',
      type: 'token',
      base: ['Coverage'],
      expression: 'Coverage.identifier',
      url: `${R4}/Coverage-identifier`,
    },
    {
      code: 'patient',
      type: 'reference',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.patient',
      url: `${CARIN_BB}/explanationofbenefit-patient`,
      target: ['Patient'],
    },
    {
      code: 'type',
      type: 'token',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.type',
      url: `${CARIN_BB}/explanationofbenefit-type`,
      allowedValues: { systems: eobTypeSystems, codes: EOB_TYPE_CODES },
    },
    {
      code: 'identifier',
      type: 'token',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.identifier',
      url: `${CARIN_BB}/explanationofbenefit-identifier`,
    },
    {
      code: 'service-date',
      type: 'date',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.billablePeriod | ExplanationOfBenefit.item.serviced',
      url: `${CARIN_BB}/explanationofbenefit-service-date`,
    },
    {
      code: 'service-start-date',
      type: 'date',
      base: ['ExplanationOfBenefit'],
      expression:
        'ExplanationOfBenefit.billablePeriod.start | ExplanationOfBenefit.item.serviced.ofType(date) | ExplanationOfBenefit.item.serviced.ofType(Period).start',
      url: `${CARIN_BB}/explanationofbenefit-service-start-date`,
    },
    {
      code: 'billable-period-start',
      type: 'date',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.billablePeriod.start',
      url: `${CARIN_BB}/explanationofbenefit-billable-period-start`,
    },
    {
      code: 'created',
      type: 'date',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.created',
      url: `${R4}/ExplanationOfBenefit-created`,
    },
    {
      code: 'provider',
      type: 'reference',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.provider',
      url: `${CARIN_BB}/explanationofbenefit-provider`,
      target: ['Practitioner', 'Organization', 'PractitionerRole'],
    },
    {
      code: 'care-team',
      type: 'reference',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.careTeam.provider',
      url: `${CARIN_BB}/explanationofbenefit-care-team`,
      target: ['Practitioner', 'Organization', 'PractitionerRole'],
    },
    {
      code: 'coverage',
      type: 'reference',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.insurance.coverage',
      url: `${CARIN_BB}/explanationofbenefit-coverage`,
      target: ['Coverage'],
    },
    {
      code: 'insurer',
      type: 'reference',
      base: ['ExplanationOfBenefit'],
      expression: 'ExplanationOfBenefit.insurer',
      url: `${CARIN_BB}/explanationofbenefit-insurer`,
      target: ['Organization'],
    },
  ];
}
