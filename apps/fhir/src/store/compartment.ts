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
  | { readonly kind: 'payer'; readonly clientId: string; readonly at: Date }
  | { readonly kind: 'unrestricted' };

/**
 * How far back a payer's link reaches: CMS-0057-F has the previous payer share data with dates of
 * service within five years. A resource's date is its own clinical or claim date (see
 * `recordDateOf`); a resource without one (Patient, an open Coverage) is not limited by it.
 */
export const PAYER_LOOKBACK_YEARS = 5;

/**
 * A payer's backend, at one instant: the members linked to it by `$member-match` whose consent
 * period holds at that instant, their resources dated within the look-back, and for a consent to
 * non-sensitive data only, none labelled sensitive.
 */
export function payerCompartment(clientId: string, at: Date): Compartment {
  if (typeof clientId !== 'string' || clientId === '') throw new Error('a payer compartment needs a client id');
  return { kind: 'payer', clientId, at };
}

/** The earliest resource date a payer's link reaches at `at`. */
export function lookbackStart(at: Date): Date {
  const start = new Date(at);
  start.setUTCFullYear(start.getUTCFullYear() - PAYER_LOOKBACK_YEARS);
  return start;
}

/**
 * The one sensitivity rule, over the one stored marker: a resource is sensitive when its
 * `security_labels` (filled on every write from `sensitivityLabelsOf`) are not empty. A member's
 * grant that withholds sensitive data and a payer's link under a consent to non-sensitive data
 * only both keep exactly the resources this condition admits.
 */
export const NOT_SENSITIVE = `r.security_labels = '{}'`;

/**
 * The compartment as an SQL condition on the resource table (alias `r`), or undefined when nothing
 * limits it. `resourceType` undefined means rows of several types (includes): shared types, which
 * belong to no patient, stay visible.
 */
export function compartmentCondition(compartment: Compartment, resourceType: string | undefined, bind: (value: unknown) => string): string | undefined {
  const owned = ownedCondition(compartment, resourceType, bind);
  const sensitivity = withheldCondition(compartment);
  return owned !== undefined && sensitivity !== undefined ? `${owned} AND ${sensitivity}` : (owned ?? sensitivity);
}

/**
 * What the member's grant withholds, as a condition on `resource r`: withheld sensitive data is
 * absent whatever its type, shared directory types included. Undefined when nothing is withheld.
 */
function withheldCondition(compartment: Compartment): string | undefined {
  return withheldIn(compartment).sensitive ? NOT_SENSITIVE : undefined;
}

function ownedCondition(compartment: Compartment, resourceType: string | undefined, bind: (value: unknown) => string): string | undefined {
  if (compartment.kind === 'unrestricted' || (resourceType !== undefined && SHARED_RESOURCE_TYPES.has(resourceType))) return undefined;
  const owned =
    compartment.kind === 'patient'
      ? `r.patient_id = ${bind(compartment.patientId)}`
      : // EXISTS on the link's key rather than IN: the consent policy refers to the row (its sensitivity labels), so the
        // subquery is correlated, and only an equality on `patient_id` lets each row cost one primary-key lookup
        // instead of a scan of all the payer's links (a bulk export reads every row of every linked member).
        `(EXISTS (SELECT 1 FROM payer_link l WHERE l.client_id = ${bind(compartment.clientId)} AND l.patient_id = r.patient_id AND l.revoked_at IS NULL` +
        ` AND l.period_start <= ${bind(compartment.at)}::timestamptz AND l.period_end > ${bind(compartment.at)}::timestamptz` +
        ` AND (l.consent_policy = 'all' OR ${NOT_SENSITIVE}))` +
        ` AND (r.record_date IS NULL OR r.record_date >= ${bind(lookbackStart(compartment.at))}::timestamptz))`;
  return resourceType === undefined ? `(r.patient_id IS NULL OR ${owned})` : owned;
}

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
  if (compartment.kind !== 'patient' || SHARED_RESOURCE_TYPES.has(resourceType)) return undefined;
  return compartment.patientId;
}
