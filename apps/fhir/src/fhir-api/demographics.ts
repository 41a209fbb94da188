import type { Patient } from '@medplum/fhirtypes';

/** Patient elements a member may withhold (seed 002: "the choice to withhold demographic data"). */
const DEMOGRAPHIC_ELEMENTS = [
  'name',
  'telecom',
  'gender',
  'birthDate',
  'address',
  'maritalStatus',
  'photo',
  'contact',
  'communication',
  'extension',
  'multipleBirthBoolean',
  'multipleBirthInteger',
] as const;

/**
 * The Patient without its demographics, tagged REDACTED so a client knows elements were removed
 * rather than absent. https://hl7.org/fhir/R4/v3/ObservationValue/cs.html#v3-ObservationValue-REDACTED
 */
export function withoutDemographics(patient: Patient): Patient {
  const copy: Record<string, unknown> = { ...patient };
  for (const element of DEMOGRAPHIC_ELEMENTS) delete copy[element];
  const security = [
    ...(patient.meta?.security ?? []),
    { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED', display: 'redacted' },
  ];
  return { ...(copy as unknown as Patient), meta: { ...patient.meta, security } };
}
