import type { Consent, Coverage, ExplanationOfBenefit, Observation, Parameters, Patient, Resource } from '@medplum/fhirtypes';
import { PAYER_IDENTIFIER_SYSTEM } from '../../src/payer/member-match/consent.rules';

/** Members, their records and `$bulk-member-match` requests for the bulk Payer-to-Payer tests. */
export const PAYER = 'SbxDemoPayer00000001';
export const OTHER_PAYER = 'OtherPayer0000000002';
export const APPLICATION = 'JVjR77J3j4BaRVqoDtLx';
const REGULAR = 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular';
const SENSITIVE = 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#sensitive';
const DAY = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const OLD_UPDATE = '2020-01-01T00:00:00.000Z';

/** The 100 members of the bulk request: 70 to match (10 of them with a consent to non-sensitive data only), 20 not matched, 10 with a consent the plan cannot honour. */
export const MATCHED = 70;
export const NON_SENSITIVE_ONLY = 10;
export const UNKNOWN = 15;
export const TWINS = 5;
export const CONSTRAINED = 10;

export const birthDate = (index: number) => new Date(Date.UTC(1950, 0, 1) + index * DAY).toISOString().slice(0, 10);

export function memberRecords(index: number): Resource[] {
  const id = `bk-${index}`;
  const patient: Patient = { resourceType: 'Patient', id, name: [{ family: `Family${index}`, given: ['Member'] }], birthDate: birthDate(index), gender: 'female' };
  const coverage: Coverage = { resourceType: 'Coverage', id: `${id}-cov`, status: 'active', subscriberId: `OLD-${index}`, beneficiary: { reference: `Patient/${id}` }, payor: [{ display: 'payer-access plan' }] };
  const eob = (suffix: string, serviceDate: string, lastUpdated?: string): ExplanationOfBenefit => ({
    resourceType: 'ExplanationOfBenefit',
    id: `${id}-${suffix}`,
    ...(lastUpdated ? { meta: { lastUpdated } } : {}),
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${id}` },
    billablePeriod: { start: serviceDate, end: serviceDate },
    created: serviceDate,
    insurer: { display: 'payer-access plan' },
    provider: { display: 'A clinic' },
    outcome: 'complete',
    insurance: [{ focal: true, coverage: { reference: `Coverage/${id}-cov` } }],
  });
  const hiv: Observation = {
    resourceType: 'Observation',
    id: `${id}-hiv`,
    meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HIV' }] },
    status: 'final',
    code: { text: 'HIV test' },
    subject: { reference: `Patient/${id}` },
    effectiveDateTime: day(-30),
  };
  // Two recent claims (one last changed long ago, for _since), one older than the five-year look-back, one sensitive result.
  return [patient, coverage, eob('recent', day(-100)), eob('older', day(-400), OLD_UPDATE), eob('ancient', day(-6 * 366)), hiv];
}

export function consent(payer = PAYER, policy = REGULAR, period = { start: day(-30), end: day(365) }): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IDSCL' }] }],
    performer: [{ identifier: { system: PAYER_IDENTIFIER_SYSTEM, value: payer } }],
    policy: [{ uri: policy }],
    provision: { type: 'permit', period },
  };
}

export function memberBundle(family: string, birth: string, subscriberId: string, memberConsent: Consent) {
  return {
    name: 'MemberBundle',
    part: [
      { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family, given: ['Member'] }], birthDate: birth } },
      { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', status: 'active', subscriberId, beneficiary: { reference: 'Patient/1' }, payor: [{ display: 'Old plan' }] } },
      { name: 'Consent', resource: memberConsent },
    ],
  };
}

/** Members 0..69 match (60..69 consent to non-sensitive data only), then 15 unknown people, 5 pairs of twins, 10 members whose consent names another payer or has ended. */
export function bulkRequest(payer = PAYER): Parameters {
  const parameter = [];
  for (let index = 0; index < MATCHED; index += 1) {
    parameter.push(memberBundle(`Family${index}`, birthDate(index), `OLD-${index}`, consent(payer, index >= MATCHED - NON_SENSITIVE_ONLY ? SENSITIVE : REGULAR)));
  }
  for (let index = 0; index < UNKNOWN; index += 1) parameter.push(memberBundle(`Nobody${index}`, birthDate(500 + index), `NONE-${index}`, consent(payer)));
  for (let index = 0; index < TWINS; index += 1) parameter.push(memberBundle(`Twin${index}`, birthDate(600 + index), `TWIN-${index}`, consent(payer)));
  for (let index = 0; index < CONSTRAINED; index += 1) {
    const member = 100 + index;
    const refused = index % 2 === 0 ? consent(OTHER_PAYER) : consent(payer, REGULAR, { start: day(-400), end: day(-1) });
    parameter.push(memberBundle(`Family${member}`, birthDate(member), `OLD-${member}`, refused));
  }
  return { resourceType: 'Parameters', parameter } as Parameters;
}

function twins(index: number): Resource[] {
  return [1, 2].flatMap((copy) => [
    { resourceType: 'Patient', id: `bk-twin-${index}-${copy}`, name: [{ family: `Twin${index}`, given: ['Member'] }], birthDate: birthDate(600 + index) } as Patient,
    { resourceType: 'Coverage', id: `bk-twin-${index}-${copy}-cov`, status: 'active', subscriberId: `TWIN-${index}`, beneficiary: { reference: `Patient/bk-twin-${index}-${copy}` }, payor: [{ display: 'plan' }] } as Coverage,
  ]);
}

export const STORE: Resource[] = [
  ...Array.from({ length: MATCHED }, (_, index) => memberRecords(index)).flat(),
  ...Array.from({ length: CONSTRAINED }, (_, index) => memberRecords(100 + index)).flat(),
  ...Array.from({ length: TWINS }, (_, index) => twins(index)).flat(),
  // Never asked for: nothing of theirs may leave.
  ...memberRecords(900),
];

