import { WITHHOLD_NOTHING, type Withholding } from './withheld';

/** Resource types outside any patient compartment: directory data every authorized app may read. */
export const SHARED_RESOURCE_TYPES: ReadonlySet<string> = new Set(['Practitioner', 'Organization', 'Location', 'PractitionerRole']);

/**
 * Whose data a reader of the store sees. Every read and search goes through a reader built for one
 * compartment, which the store applies itself (as Medplum's repository adds its security filters),
 * so a caller cannot forget it and later rules (payer links, withheld data, sensitivity labels)
 * have one place to go. There is no "no patient" value that silently means everything: trusted
 * callers ask for `UNRESTRICTED` by name.
 */
export type Compartment =
  | { readonly kind: 'patient'; readonly patientId: string; readonly withheld: Withholding }
  | { readonly kind: 'unrestricted' };

/** For trusted callers only (the loader, the sandbox seeder, operators' tools): every resource. */
export const UNRESTRICTED: Compartment = Object.freeze({ kind: 'unrestricted' });

export function patientCompartment(patientId: string, withheld: Withholding = WITHHOLD_NOTHING): Compartment {
  if (typeof patientId !== 'string' || patientId === '') throw new Error('a patient compartment needs a patient id');
  return { kind: 'patient', patientId, withheld: { demographics: withheld.demographics === true, sensitive: withheld.sensitive === true } };
}

/** What the compartment's grant withholds; trusted callers withhold nothing. */
export function withheldIn(compartment: Compartment): Withholding {
  return compartment.kind === 'patient' ? compartment.withheld : WITHHOLD_NOTHING;
}

/** The patient whose compartment limits resources of this type, or undefined when nothing does. */
export function compartmentPatientOf(compartment: Compartment, resourceType: string): string | undefined {
  if (compartment.kind === 'unrestricted' || SHARED_RESOURCE_TYPES.has(resourceType)) return undefined;
  return compartment.patientId;
}

/** Whether a stored resource (its type and the patient it belongs to) is visible in the compartment. */
export function isInCompartment(compartment: Compartment, resourceType: string, patientId: string | null): boolean {
  const required = compartmentPatientOf(compartment, resourceType);
  return required === undefined || patientId === required;
}
