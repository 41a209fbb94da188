/** The FHIR R4 `id` datatype: 1 to 64 letters, digits, `-` and `.` (http://hl7.org/fhir/R4/datatypes.html#id). */
export const FHIR_ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/** Whether `value` is a FHIR resource id: what reads, references and stored resources must carry. */
export function isFhirId(value: unknown): boolean {
  return typeof value === 'string' && FHIR_ID_PATTERN.test(value);
}
