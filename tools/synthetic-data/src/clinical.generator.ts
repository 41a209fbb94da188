import type { Resource } from '@medplum/fhirtypes';
import type { SeededRandom } from './random';
import { ALLERGIES, CONDITIONS, OBSERVATIONS, PROFILES, SYSTEMS, VACCINES, DRUGS } from './vocabulary';

const DAY_MS = 86_400_000;

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function instant(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * One sensitive diagnosis per sandbox member, chosen by the member's place in the list rather than
 * drawn at random (so the rest of the data set stays as it was): substance use under 42 CFR Part 2,
 * HIV, mental health, reproductive health. The loader labels them; a grant that withholds
 * sensitive data never sees them.
 */
const SENSITIVE_CONDITIONS = [
  { snomed: '5602001', icd10: 'F11.20', display: 'Opioid dependence, uncomplicated' },
  { snomed: '86406008', icd10: 'B20', display: 'Human immunodeficiency virus infection' },
  { snomed: '370143000', icd10: 'F33.1', display: 'Major depressive disorder, recurrent, moderate' },
  { snomed: '169553002', icd10: 'Z30.09', display: 'Encounter for general counseling and advice on contraception' },
] as const;

export function sensitiveCondition(patientId: string, ordinal: number, recordedMs: number = Date.parse('2022-06-01T00:00:00Z')): Resource {
  const condition = SENSITIVE_CONDITIONS[ordinal % SENSITIVE_CONDITIONS.length];
  return {
    resourceType: 'Condition',
    id: `cond-${patientId.replace(/^-/, 'm')}-sensitive`,
    meta: { lastUpdated: instant(recordedMs + 15 * 3_600_000), profile: [PROFILES.condition] },
    clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'active' }] },
    category: [{ coding: [{ system: SYSTEMS.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: {
      coding: [
        { system: SYSTEMS.snomed, code: condition.snomed, display: condition.display },
        { system: SYSTEMS.icd10cm, code: condition.icd10 },
      ],
      text: condition.display,
    },
    subject: { reference: `Patient/${patientId}` },
    recordedDate: day(recordedMs),
  };
}

/**
 * One of each US Core clinical resource docs/product.md#fhir-service lists for a patient, linked to one another
 * (the report cites the observation, the care plan the condition) as a chart would be.
 */
export function* clinicalResources(random: SeededRandom, patientId: string, seenDayMs?: number): Generator<Resource> {
  const patient = { reference: `Patient/${patientId}` };
  const suffix = patientId.replace(/^-/, 'm');
  // The visit is drawn within 2021-2023 unless its day is given (then at 14:00 UTC that day).
  const seen = seenDayMs === undefined ? Date.parse('2021-01-04T14:00:00Z') + random.int(0, 900) * DAY_MS : seenDayMs + 14 * 3_600_000;
  const updated = instant(seen + 2 * DAY_MS);
  const meta = (profile: string) => ({ lastUpdated: updated, profile: [profile] });
  const practitioner = { reference: `Practitioner/practitioner-${random.int(1, 12)}` };
  const condition = random.pick(CONDITIONS);
  const observation = random.pick(OBSERVATIONS);
  const value = Math.round((observation.range[0] + random.next() * (observation.range[1] - observation.range[0])) * 10) / 10;
  const drug = random.pick(DRUGS);

  yield {
    resourceType: 'Encounter',
    id: `enc-${suffix}-1`,
    meta: meta(PROFILES.encounter),
    status: 'finished',
    class: { system: SYSTEMS.v3ActCode, code: 'AMB', display: 'ambulatory' },
    type: [{ coding: [{ system: SYSTEMS.snomed, code: '185349003', display: 'Encounter for check up' }], text: 'Office visit' }],
    subject: patient,
    participant: [{ individual: practitioner }],
    period: { start: instant(seen), end: instant(seen + 3_600_000) },
    location: [{ location: { reference: `Location/location-${random.int(1, 6)}` } }],
  };
  yield {
    resourceType: 'Condition',
    id: `cond-${suffix}-1`,
    meta: meta(PROFILES.condition),
    clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'active' }] },
    category: [{ coding: [{ system: SYSTEMS.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: {
      coding: [
        { system: SYSTEMS.snomed, code: condition.snomed, display: condition.display },
        { system: SYSTEMS.icd10cm, code: condition.icd10 },
      ],
      text: condition.display,
    },
    subject: patient,
    onsetDateTime: day(seen - random.int(100, 2000) * DAY_MS),
    recordedDate: day(seen),
  };
  yield {
    resourceType: 'Observation',
    id: `obs-${suffix}-1`,
    meta: meta(PROFILES.observationLab),
    status: 'final',
    category: [{ coding: [{ system: SYSTEMS.observationCategory, code: 'laboratory', display: 'Laboratory' }] }],
    code: { coding: [{ system: SYSTEMS.loinc, code: observation.code, display: observation.display }], text: observation.display },
    subject: patient,
    encounter: { reference: `Encounter/enc-${suffix}-1` },
    effectiveDateTime: instant(seen),
    valueQuantity: { value, unit: observation.unit, system: 'http://unitsofmeasure.org', code: observation.unit },
  };
  yield {
    resourceType: 'DiagnosticReport',
    id: `dr-${suffix}-1`,
    meta: meta(PROFILES.diagnosticReport),
    status: 'final',
    category: [{ coding: [{ system: SYSTEMS.diagnosticServiceSection, code: 'LAB', display: 'Laboratory' }] }],
    code: { coding: [{ system: SYSTEMS.loinc, code: '24323-8', display: 'Comprehensive metabolic 2000 panel' }] },
    subject: patient,
    effectiveDateTime: instant(seen),
    issued: instant(seen + DAY_MS),
    performer: [practitioner],
    result: [{ reference: `Observation/obs-${suffix}-1` }],
  };
  yield {
    resourceType: 'AllergyIntolerance',
    id: `allergy-${suffix}-1`,
    meta: meta(PROFILES.allergy),
    clinicalStatus: { coding: [{ system: SYSTEMS.allergyClinical, code: 'active' }] },
    code: { coding: [{ system: SYSTEMS.snomed, ...random.pick(ALLERGIES) }] },
    patient,
    recordedDate: day(seen),
  };
  yield {
    resourceType: 'Procedure',
    id: `proc-${suffix}-1`,
    meta: meta(PROFILES.procedure),
    status: 'completed',
    code: { coding: [{ system: SYSTEMS.cpt, code: '93000', display: 'Electrocardiogram, routine ECG with at least 12 leads' }] },
    subject: patient,
    performedDateTime: instant(seen),
  };
  const vaccine = random.pick(VACCINES);
  yield {
    resourceType: 'Immunization',
    id: `imm-${suffix}-1`,
    meta: meta(PROFILES.immunization),
    status: 'completed',
    vaccineCode: { coding: [{ system: SYSTEMS.cvx, code: vaccine.code, display: vaccine.display }] },
    patient,
    occurrenceDateTime: instant(seen - 30 * DAY_MS),
    primarySource: true,
  };
  yield {
    resourceType: 'MedicationRequest',
    id: `medreq-${suffix}-1`,
    meta: meta(PROFILES.medicationRequest),
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: SYSTEMS.rxnorm, code: drug.rxnorm, display: drug.display }] },
    subject: patient,
    authoredOn: day(seen),
    requester: practitioner,
  };
  yield {
    resourceType: 'DocumentReference',
    id: `doc-${suffix}-1`,
    meta: meta(PROFILES.documentReference),
    status: 'current',
    type: { coding: [{ system: SYSTEMS.loinc, code: '34133-9', display: 'Summary of episode note' }] },
    category: [{ coding: [{ system: SYSTEMS.usCoreDocumentCategory, code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: patient,
    date: instant(seen + DAY_MS),
    author: [practitioner],
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(`Visit summary: ${condition.display}, stable.`).toString('base64') } }],
    context: { period: { start: instant(seen), end: instant(seen + 3_600_000) } },
  };
  yield {
    resourceType: 'CareTeam',
    id: `careteam-${suffix}-1`,
    meta: meta(PROFILES.careTeam),
    status: 'active',
    subject: patient,
    participant: [{ role: [{ coding: [{ system: SYSTEMS.snomed, code: '446050000', display: 'Primary care physician' }] }], member: practitioner }],
  };
  yield {
    resourceType: 'Goal',
    id: `goal-${suffix}-1`,
    meta: meta(PROFILES.goal),
    lifecycleStatus: 'active',
    achievementStatus: { coding: [{ system: SYSTEMS.goalAchievement, code: 'improving' }] },
    description: { text: `Keep ${observation.display} in range` },
    subject: patient,
    target: [{ dueDate: day(seen + 180 * DAY_MS) }],
  };
  yield {
    resourceType: 'CarePlan',
    id: `careplan-${suffix}-1`,
    meta: meta(PROFILES.carePlan),
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">Care plan for ${condition.display}</div>` },
    status: 'active',
    intent: 'plan',
    category: [{ coding: [{ system: SYSTEMS.carePlanCategory, code: 'assess-plan' }] }],
    subject: patient,
    period: { start: day(seen) },
    addresses: [{ reference: `Condition/cond-${suffix}-1` }],
    goal: [{ reference: `Goal/goal-${suffix}-1` }],
  };
}
