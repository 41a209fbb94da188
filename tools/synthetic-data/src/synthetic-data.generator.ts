import type { Coverage, ExplanationOfBenefit, Extension, Patient, Resource } from '@medplum/fhirtypes';
import { EOB_TYPE_CODES, SANDBOX_MEMBERS, type EobTypeCode } from '@payer-access/fhir-models';
import { clinicalResources, sensitiveCondition } from './clinical.generator';
import { MBI_SYSTEM, PAYER_MATCH_MEMBERS, PAYER_MEMBER_CLAIM_DAYS_AGO, type PayerMatchMember } from './payer-members';
import { SeededRandom } from './random';
import { CITIES, DIAGNOSES, DME_ITEMS, DRUGS, FAMILY_NAMES, GIVEN_NAMES, INSTITUTIONAL_SERVICES, PROFESSIONAL_SERVICES, PROFILES, SYSTEMS } from './vocabulary';

export interface SyntheticDataOptions {
  /** Same seed, same data set. */
  readonly seed?: number;
  /** Synthetic patients besides the four sandbox members. */
  readonly extraPatients?: number;
  /** EOBs of each extra patient (the sandbox members have fixed counts). */
  readonly eobsPerPatient?: number;
  /** First number of the extra patients' ids, so that several generated sets do not collide. */
  readonly firstPatientNumber?: number;
  /** Whether to include the four sandbox members, the payer-to-payer members and the shared directory resources. */
  readonly includeSandboxMembers?: boolean;
  /** When the data is loaded: the payer-to-payer members' claims and charts are dated back from this day. Default now. */
  readonly asOf?: Date;
  /** US Core clinical resources for each patient. */
  readonly clinical?: boolean;
}

/** The claim mix of each sandbox member (SANDBOX_MEMBERS); `-20140000000024` is seed 002's example. */
export const SANDBOX_CLAIM_MIX: Readonly<Record<string, Partial<Record<EobTypeCode, number>>>> = {
  '-20140000000024': { carrier: 44, inpatient: 1, pde: 103 },
  '-20140000008325': { carrier: 6, pde: 4, outpatient: 2 },
  '-19990000000001': { carrier: 4, pde: 4 },
  '-20140000000031': { carrier: 3, pde: 3, dme: 3, hha: 3, hospice: 3, inpatient: 3, outpatient: 3, snf: 3 },
};

export const PAYER_ORGANIZATION_ID = 'payer';
const PRACTITIONERS = 12;
const PROVIDER_ORGANIZATIONS = 6;

/** Coverage parts and the claim types each one pays. */
const PART_OF: Record<EobTypeCode, 'a' | 'b' | 'c' | 'd'> = {
  inpatient: 'a',
  snf: 'a',
  hospice: 'a',
  hha: 'a',
  outpatient: 'b',
  carrier: 'b',
  dme: 'b',
  pde: 'd',
};

const PROFILE_OF: Record<EobTypeCode, string> = {
  carrier: PROFILES.professional,
  dme: PROFILES.professional,
  pde: PROFILES.pharmacy,
  inpatient: PROFILES.inpatient,
  snf: PROFILES.inpatient,
  outpatient: PROFILES.outpatient,
  hha: PROFILES.outpatient,
  hospice: PROFILES.outpatient,
};

const CLAIM_TYPE_OF: Record<EobTypeCode, 'professional' | 'institutional' | 'pharmacy'> = {
  carrier: 'professional',
  dme: 'professional',
  pde: 'pharmacy',
  inpatient: 'institutional',
  snf: 'institutional',
  outpatient: 'institutional',
  hha: 'institutional',
  hospice: 'institutional',
};

const DAY_MS = 86_400_000;
/** The seed says data before 2020-02-12 is not tagged reliably; every generated change is later. */
const FIRST_UPDATE = Date.parse('2020-02-12T12:00:00Z');

/**
 * Generates a deterministic synthetic data set in CARIN Blue Button and US Core shape: the plan's
 * payer Organization, providers, and for each patient a Patient, Coverage parts A, B, C and D,
 * ExplanationOfBenefits and clinical resources. A generator, so that 10 million EOBs stream
 * through in constant memory.
 */
export function* generateSyntheticData(options: SyntheticDataOptions = {}): Generator<Resource> {
  const seed = options.seed ?? 20140001;
  const clinical = options.clinical ?? true;
  if (options.includeSandboxMembers ?? true) {
    yield* directoryResources();
    for (const [index, member] of SANDBOX_MEMBERS.entries()) {
      const random = new SeededRandom(mix(seed, index));
      yield* patientRecord(random, member.patientId, SANDBOX_CLAIM_MIX[member.patientId] ?? {}, clinical, index);
    }
    const today = Date.parse((options.asOf ?? new Date()).toISOString().slice(0, 10));
    for (const [index, member] of PAYER_MATCH_MEMBERS.entries()) yield* payerMemberRecord(new SeededRandom(mix(seed, 500 + index)), member, index, today, clinical);
  }
  const first = options.firstPatientNumber ?? 1;
  for (let n = first; n < first + (options.extraPatients ?? 0); n += 1) {
    const random = new SeededRandom(mix(seed, 1000 + n));
    const mixOfClaims = randomClaimMix(random, options.eobsPerPatient ?? 20);
    yield* patientRecord(random, `-3000${String(n).padStart(10, '0')}`, mixOfClaims, clinical, n + SANDBOX_MEMBERS.length);
  }
}

/** The sandbox data set `npm start` loads: the four members, the payer-to-payer members and a few neighbours. */
export function sandboxDataSet(asOf: Date = new Date()): Generator<Resource> {
  return generateSyntheticData({ extraPatients: 8, eobsPerPatient: 12, asOf });
}

function mix(seed: number, salt: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 31) + Math.imul(salt + 1, 0x9e3779b1)) >>> 0;
}

function randomClaimMix(random: SeededRandom, total: number): Partial<Record<EobTypeCode, number>> {
  const counts: Partial<Record<EobTypeCode, number>> = {};
  for (let i = 0; i < total; i += 1) {
    // Professional and drug claims dominate real Medicare data; facility claims are rarer.
    const roll = random.next();
    const type: EobTypeCode = roll < 0.45 ? 'carrier' : roll < 0.8 ? 'pde' : random.pick(EOB_TYPE_CODES);
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

function meta(profile: string, lastUpdated: string): Resource['meta'] {
  return { lastUpdated, profile: [profile] };
}

function instant(ms: number): string {
  return new Date(ms).toISOString();
}

function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function* directoryResources(): Generator<Resource> {
  const lastUpdated = '2020-02-12T12:00:00.000Z';
  yield {
    resourceType: 'Organization',
    id: PAYER_ORGANIZATION_ID,
    meta: meta(PROFILES.payer, lastUpdated),
    active: true,
    identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1999999992' }],
    type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'pay', display: 'Payer' }] }],
    name: 'payer-access Sandbox Health Plan',
    telecom: [{ system: 'phone', value: '+1-800-555-0100', use: 'work' }],
    address: [{ line: ['1 Plan Way'], city: 'Durham', state: 'NC', postalCode: '27701', country: 'US' }],
  };
  for (let i = 0; i < PROVIDER_ORGANIZATIONS; i += 1) {
    const city = CITIES[i % CITIES.length];
    yield {
      resourceType: 'Organization',
      id: `provider-org-${i + 1}`,
      meta: meta(PROFILES.organization, lastUpdated),
      active: true,
      identifier: [{ system: SYSTEMS.npi, value: `15${String(i + 1).padStart(8, '0')}` }],
      type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }],
      name: i % 3 === 2 ? `${city.city} Community Pharmacy` : `${city.city} Regional Medical Center`,
      address: [{ line: [`${100 + i} Main St`], city: city.city, state: 'NC', postalCode: city.postalCode, country: 'US' }],
    };
    yield {
      resourceType: 'Location',
      id: `location-${i + 1}`,
      meta: meta(PROFILES.location, lastUpdated),
      status: 'active',
      name: `${city.city} Campus ${i + 1}`,
      address: { line: [`${100 + i} Main St`], city: city.city, state: 'NC', postalCode: city.postalCode },
      managingOrganization: { reference: `Organization/provider-org-${i + 1}` },
    };
  }
  for (let i = 0; i < PRACTITIONERS; i += 1) {
    yield {
      resourceType: 'Practitioner',
      id: `practitioner-${i + 1}`,
      meta: meta(PROFILES.practitioner, lastUpdated),
      identifier: [{ system: SYSTEMS.npi, value: `16${String(i + 1).padStart(8, '0')}` }],
      name: [{ family: FAMILY_NAMES[(i * 5) % FAMILY_NAMES.length], given: [GIVEN_NAMES[(i * 3) % GIVEN_NAMES.length]], prefix: ['Dr.'] }],
    };
  }
}

function* patientRecord(
  random: SeededRandom,
  patientId: string,
  claimMix: Partial<Record<EobTypeCode, number>>,
  clinical: boolean,
  ordinal: number,
): Generator<Resource> {
  const patientUpdated = patientId === '-19990000000001' ? '2020-02-13T21:53:06.017-05:00' : instant(FIRST_UPDATE + random.int(0, 300) * DAY_MS);
  yield patientResource(random, patientId, patientUpdated);
  for (const part of ['a', 'b', 'c', 'd'] as const) yield coverageResource(random, patientId, part);
  if (clinical) yield* clinicalResources(random, patientId);
  if (clinical && ordinal < SANDBOX_MEMBERS.length) yield sensitiveCondition(patientId, ordinal);

  // A million claim numbers per patient: ids stay unique up to ~10,000 claims each.
  let claimNumber = 22011000000 + ordinal * 1_000_000;
  const types = EOB_TYPE_CODES.flatMap((type) => Array.from({ length: claimMix[type] ?? 0 }, () => type));
  for (const [index, type] of types.entries()) {
    claimNumber += random.int(1, 97);
    let lastUpdated: string;
    if (patientId === '-19990000000001') {
      // Seed 002's interval example: half of this member's claims changed on 2020-02-13 (New York time).
      lastUpdated = index % 2 === 0 ? `2020-02-13T${String(9 + index).padStart(2, '0')}:15:00.000-05:00` : instant(Date.parse('2020-03-01T00:00:00Z') + index * DAY_MS);
    } else {
      lastUpdated = instant(FIRST_UPDATE + random.int(0, 1500) * DAY_MS + random.int(0, DAY_MS - 1));
    }
    yield explanationOfBenefit(random, patientId, type, `${type}-${claimNumber}`, String(claimNumber), lastUpdated);
  }
}

/** Claim types of a payer member, in the order of PAYER_MEMBER_CLAIM_DAYS_AGO. */
const PAYER_MEMBER_CLAIM_TYPES: readonly EobTypeCode[] = ['carrier', 'pde', 'outpatient', 'carrier', 'pde', 'inpatient', 'carrier', 'pde', 'dme', 'outpatient', 'carrier', 'pde'];
/** A behavioral-health diagnosis the loader labels sensitive (ICD-10-CM F33.1, within F20-F48). */
const BEHAVIORAL_DIAGNOSIS = { code: 'F33.1', display: 'Major depressive disorder, recurrent, moderate' };

/**
 * A former member a new payer asks for (payer-members.ts): demographics and identifiers the match
 * rules compare, this plan's coverage under the member's old subscriber id (ended some days before
 * the load, or still running), claims and a chart dated back from the load day, and one sensitive
 * diagnosis; the first member's most recent outpatient claim is for it too.
 */
function* payerMemberRecord(random: SeededRandom, member: PayerMatchMember, index: number, today: number, clinical: boolean): Generator<Resource> {
  const { patientId } = member;
  const city = random.pick(CITIES);
  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId,
    meta: meta(PROFILES.patient, instant(today - 400 * DAY_MS + 9 * 3_600_000)),
    identifier: [
      {
        type: { coding: [{ system: SYSTEMS.c4bbIdentifierType, code: 'um', display: 'Unique Member ID' }] },
        system: 'https://bluebutton.cms.gov/resources/variables/bene_id',
        value: patientId,
      },
      { system: MBI_SYSTEM, value: member.mbi },
    ],
    name: [{ use: 'usual', family: member.familyName, given: [member.givenName] }],
    telecom: [{ system: 'phone', value: `+1-919-555-${String(random.int(0, 9999)).padStart(4, '0')}`, use: 'home' }],
    gender: member.gender,
    birthDate: member.birthDate,
    address: [{ line: [`${random.int(1, 9999)} Elm St`], city: city.city, state: 'NC', postalCode: city.postalCode, country: 'US' }],
  };
  yield patient;
  const ended = member.coverageEndedDaysAgo;
  for (const part of ['a', 'b', 'c', 'd'] as const) {
    const coverage = coverageResource(random, patientId, part);
    yield {
      ...coverage,
      meta: meta(PROFILES.coverage, instant(today - (ended ?? 400) * DAY_MS + 10 * 3_600_000)),
      subscriberId: member.subscriberId,
      period: { start: date(today - 3000 * DAY_MS), ...(ended === undefined ? {} : { end: date(today - ended * DAY_MS) }) },
    };
  }
  if (clinical) {
    yield* clinicalResources(random, patientId, today - 120 * DAY_MS);
    yield sensitiveCondition(patientId, index + 2, today - 300 * DAY_MS);
  }
  let claimNumber = 5_000_000_000 + index * 1_000_000;
  for (const [claim, daysAgo] of PAYER_MEMBER_CLAIM_DAYS_AGO.entries()) {
    const type = PAYER_MEMBER_CLAIM_TYPES[claim % PAYER_MEMBER_CLAIM_TYPES.length];
    claimNumber += random.int(1, 97);
    const start = today - daysAgo * DAY_MS;
    let eob = explanationOfBenefit(random, patientId, type, `${type}-${claimNumber}`, String(claimNumber), instant(start + 40 * DAY_MS + 3_600_000), start);
    if (index === 0 && claim === 2) {
      eob = {
        ...eob,
        diagnosis: [
          {
            sequence: 1,
            diagnosisCodeableConcept: { coding: [coding(SYSTEMS.icd10cm, BEHAVIORAL_DIAGNOSIS.code, BEHAVIORAL_DIAGNOSIS.display)] },
            type: [{ coding: [coding(SYSTEMS.c4bbClaimDiagnosisType, 'principal', 'Principal')] }],
          },
        ],
      };
    }
    yield eob;
  }
}

function patientResource(random: SeededRandom, patientId: string, lastUpdated: string): Patient {
  const city = random.pick(CITIES);
  if (patientId === '-20140000008325') {
    // Seed 002's Patient example, as published.
    return {
      resourceType: 'Patient',
      id: patientId,
      meta: meta(PROFILES.patient, lastUpdated),
      extension: [{ url: `${SYSTEMS.bbVariables}/race`, valueCoding: { system: `${SYSTEMS.bbVariables}/race`, code: '1', display: 'White' } }],
      identifier: [
        { system: 'https://bluebutton.cms.gov/resources/variables/bene_id', value: patientId },
        { system: 'https://bluebutton.cms.gov/resources/identifier/hicn-hash', value: '2025fbc612a884853f0c245e686780bf748e5652360ecd7430575491f4e018c5' },
      ],
      name: [{ use: 'usual', family: 'Doe', given: ['Jane', 'X'] }],
      gender: 'unknown',
      birthDate: '2014-06-01',
      address: [{ district: '999', state: '15', postalCode: '99999' }],
    };
  }
  // Draw the names even for a sandbox member, so that every later draw stays the same.
  const member = SANDBOX_MEMBERS.find((candidate) => candidate.patientId === patientId);
  const drawnGiven = random.pick(GIVEN_NAMES);
  const drawnFamily = random.pick(FAMILY_NAMES);
  const given = member?.givenName ?? drawnGiven;
  const family = member?.familyName ?? drawnFamily;
  const birth = Date.parse('1935-01-01T00:00:00Z') + random.int(0, 30 * 365) * DAY_MS;
  return {
    resourceType: 'Patient',
    id: patientId,
    meta: meta(PROFILES.patient, lastUpdated),
    extension: [{ url: `${SYSTEMS.bbVariables}/race`, valueCoding: { system: `${SYSTEMS.bbVariables}/race`, code: String(random.int(1, 6)) } }],
    identifier: [
      {
        type: { coding: [{ system: SYSTEMS.c4bbIdentifierType, code: 'um', display: 'Unique Member ID' }] },
        system: 'https://bluebutton.cms.gov/resources/variables/bene_id',
        value: patientId,
      },
      { system: 'http://hl7.org/fhir/sid/us-mbi', value: `${random.int(1, 9)}EG4TE5MK${random.int(10, 99)}` },
    ],
    name: [{ use: 'usual', family, given: [given, String.fromCharCode(65 + random.int(0, 25))] }],
    telecom: [{ system: 'phone', value: `+1-919-555-${String(random.int(0, 9999)).padStart(4, '0')}`, use: 'home' }],
    gender: random.pick(['male', 'female'] as const),
    birthDate: date(birth),
    address: [{ line: [`${random.int(1, 9999)} Oak St`], city: city.city, state: 'NC', postalCode: city.postalCode, country: 'US' }],
  };
}

function coding(system: string, code: string, display?: string): { system: string; code: string; display?: string } {
  return display === undefined ? { system, code } : { system, code, display };
}

function variableExtension(variable: string, code: string, display: string): Extension {
  return { url: `${SYSTEMS.bbVariables}/${variable}`, valueCoding: coding(`${SYSTEMS.bbVariables}/${variable}`, code, display) };
}

function coverageResource(random: SeededRandom, patientId: string, part: 'a' | 'b' | 'c' | 'd'): Coverage {
  const extension: Extension[] = [
    variableExtension('ms_cd', '10', 'Aged without end-stage renal disease (ESRD)'),
    variableExtension('orec', '0', 'Old age and survivor’s insurance (OASI)'),
    variableExtension('esrd_ind', '0', 'the beneficiary does not have ESRD'),
  ];
  if (part === 'a') extension.push(variableExtension('a_trm_cd', '0', 'Not Terminated'));
  if (part === 'b') extension.push(variableExtension('b_trm_cd', '0', 'Not Terminated'));
  if (part === 'c') extension.push(variableExtension('ptc_cntrct_id_01', `H${random.int(1000, 9999)}`, 'Medicare Advantage contract'));
  if (part === 'd') extension.push(variableExtension('ptdcntrct01', `S${random.int(1000, 9999)}`, 'Part D contract'));
  return {
    resourceType: 'Coverage',
    id: `part-${part}${patientId}`,
    meta: meta(PROFILES.coverage, instant(FIRST_UPDATE + random.int(0, 60) * DAY_MS)),
    extension,
    identifier: [
      {
        type: { coding: [{ system: SYSTEMS.c4bbIdentifierType, code: 'um', display: 'Unique Member ID' }] },
        system: 'https://bluebutton.cms.gov/resources/variables/bene_id',
        value: patientId,
      },
    ],
    status: 'active',
    type: { coding: [coding(SYSTEMS.v3ActCode, 'SUBSIDIZ', 'subsidized health program')] },
    subscriberId: patientId.replace('-', ''),
    beneficiary: { reference: `Patient/${patientId}` },
    relationship: { coding: [coding('http://terminology.hl7.org/CodeSystem/subscriber-relationship', 'self', 'Self')] },
    period: { start: '2014-01-01' },
    payor: [{ reference: `Organization/${PAYER_ORGANIZATION_ID}` }],
    class: [
      { type: { coding: [coding(SYSTEMS.coverageClass, 'group', 'Group')] }, value: 'Medicare', name: 'Medicare' },
      { type: { coding: [coding(SYSTEMS.coverageClass, 'plan', 'Plan')] }, value: `Part ${part.toUpperCase()}`, name: `Medicare Part ${part.toUpperCase()}` },
    ],
  };
}

function money(value: number): { value: number; currency: 'USD' } {
  return { value, currency: 'USD' };
}

function adjudication(code: string, display: string, amount: number) {
  return { category: { coding: [coding(SYSTEMS.c4bbAdjudication, code, display)] }, amount: money(amount) };
}

function explanationOfBenefit(
  random: SeededRandom,
  patientId: string,
  type: EobTypeCode,
  id: string,
  claimNumber: string,
  lastUpdated: string,
  /** When the claim's billable period starts; drawn within 2019-2023 unless given. */
  startMs?: number,
): ExplanationOfBenefit {
  const start = startMs ?? Date.parse('2019-01-01T00:00:00Z') + random.int(0, 5 * 365) * DAY_MS;
  const stay = type === 'inpatient' || type === 'snf' ? random.int(2, 12) : type === 'hha' || type === 'hospice' ? random.int(10, 30) : 0;
  const end = start + stay * DAY_MS;
  const claimType = CLAIM_TYPE_OF[type];
  const practitioner = `Practitioner/practitioner-${random.int(1, PRACTITIONERS)}`;
  const organization = `Organization/provider-org-${random.int(1, PROVIDER_ORGANIZATIONS)}`;
  const provider = claimType === 'professional' ? practitioner : organization;
  const diagnoses = type === 'pde' ? [] : [random.pick(DIAGNOSES), random.pick(DIAGNOSES)].filter((d, i, all) => all.indexOf(d) === i);
  const itemCount = type === 'pde' ? 1 : random.int(1, 4);

  const items = Array.from({ length: itemCount }, (_, index) => {
    const served = date(start + Math.min(index, stay) * DAY_MS);
    let product: { system: string; code: string; display: string };
    let price: number;
    let quantity = 1;
    if (type === 'pde') {
      const drug = random.pick(DRUGS);
      product = coding(SYSTEMS.ndc, drug.ndc, drug.display) as typeof product;
      quantity = random.pick([30, 60, 90]);
      price = random.money(drug.price[0], drug.price[1]);
    } else if (claimType === 'institutional') {
      const service = random.pick(INSTITUTIONAL_SERVICES);
      product = coding('https://www.nubc.org/CodeSystem/RevenueCodes', service.code, service.display) as typeof product;
      price = random.money(service.price[0], service.price[1]);
    } else {
      const service = random.pick(type === 'dme' ? DME_ITEMS : PROFESSIONAL_SERVICES);
      product = coding(SYSTEMS.hcpcs, service.code, service.display) as typeof product;
      price = random.money(service.price[0], service.price[1]);
    }
    const paid = Math.round(price * 0.8 * 100) / 100;
    return {
      sequence: index + 1,
      ...(diagnoses.length > 0 ? { diagnosisSequence: [1] } : {}),
      productOrService: { coding: [product] },
      ...(stay > 0 ? { servicedPeriod: { start: served, end: date(end) } } : { servicedDate: served }),
      quantity: { value: quantity },
      net: money(price),
      adjudication: [
        adjudication('submitted', 'Submitted Amount', price),
        { ...adjudication('eligible', 'Eligible Amount', price), category: { coding: [coding(SYSTEMS.adjudication, 'eligible', 'Eligible Amount')] } },
        { ...adjudication('benefit', 'Benefit Amount', paid), category: { coding: [coding(SYSTEMS.adjudication, 'benefit', 'Benefit Amount')] } },
        { ...adjudication('paidtoprovider', 'Paid to provider', paid) },
        { ...adjudication('paidbypatient', 'Paid by patient', Math.round((price - paid) * 100) / 100) },
      ],
    };
  });
  const submitted = Math.round(items.reduce((sum, item) => sum + (item.net.value ?? 0), 0) * 100) / 100;
  const paid = Math.round(submitted * 0.8 * 100) / 100;

  return {
    resourceType: 'ExplanationOfBenefit',
    id,
    meta: meta(PROFILE_OF[type], lastUpdated),
    identifier: [
      {
        type: { coding: [coding(SYSTEMS.c4bbIdentifierType, 'uc', 'Unique Claim ID')] },
        system: `${SYSTEMS.bbVariables}/clm_id`,
        value: claimNumber,
      },
    ],
    status: 'active',
    type: { coding: [coding(SYSTEMS.eobType, type), coding(SYSTEMS.claimType, claimType, claimType[0].toUpperCase() + claimType.slice(1))] },
    use: 'claim',
    patient: { reference: `Patient/${patientId}` },
    billablePeriod: { start: date(start), end: date(end) },
    created: date(end + random.int(1, 20) * DAY_MS),
    insurer: { reference: `Organization/${PAYER_ORGANIZATION_ID}` },
    provider: { reference: provider },
    payee: { type: { coding: [coding(SYSTEMS.c4bbPayeeType, 'provider', 'Provider')] }, party: { reference: provider } },
    outcome: 'complete',
    careTeam: [
      {
        sequence: 1,
        provider: { reference: practitioner },
        role: { coding: [coding(SYSTEMS.c4bbClaimCareTeamRole, type === 'pde' ? 'prescribing' : 'performing', type === 'pde' ? 'Prescribing provider' : 'Performing provider')] },
      },
    ],
    supportingInfo: [
      {
        sequence: 1,
        category: { coding: [coding(SYSTEMS.c4bbSupportingInfoType, 'clmrecvddate', 'Claim Received Date')] },
        timingDate: date(end + DAY_MS),
      },
    ],
    ...(diagnoses.length > 0
      ? {
          diagnosis: diagnoses.map((diagnosis, index) => ({
            sequence: index + 1,
            diagnosisCodeableConcept: { coding: [coding(SYSTEMS.icd10cm, diagnosis.code, diagnosis.display)] },
            type: [{ coding: [coding(SYSTEMS.c4bbClaimDiagnosisType, index === 0 ? 'principal' : 'secondary', index === 0 ? 'Principal' : 'Secondary')] }],
          })),
        }
      : {}),
    insurance: [{ focal: true, coverage: { reference: `Coverage/part-${PART_OF[type]}${patientId}` } }],
    item: items,
    total: [adjudication('submitted', 'Submitted Amount', submitted), { ...adjudication('benefit', 'Benefit Amount', paid), category: { coding: [coding(SYSTEMS.adjudication, 'benefit', 'Benefit Amount')] } }],
    payment: { date: date(end + 30 * DAY_MS), amount: money(paid) },
  };
}
