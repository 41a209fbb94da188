import type { Consent, Reference } from '@medplum/fhirtypes';
import { parseFhirInstant } from '@payer-access/fhir-models';

/** The HRex consent policies this plan honours, and what each lets the requesting payer read. */
export const CONSENT_POLICIES: Readonly<Record<string, ConsentPolicy>> = {
  'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular': 'all',
  'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#sensitive': 'non-sensitive',
};

export type ConsentPolicy = 'all' | 'non-sensitive';

/** How a payer is named in a Consent: an Identifier whose value is its client id at this plan. */
export const PAYER_IDENTIFIER_SYSTEM = 'urn:payer-access:client-id';

export type ConsentDecision =
  | { readonly ok: true; readonly policy: ConsentPolicy; readonly start: Date; readonly end: Date }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether the plan can honour the member's Consent for this payer now: one supported policy, a
 * period that has started and not ended (both bounds required, so access always ends), and the
 * requesting payer named in `performer` or `organization` (or as the recipient actor).
 * https://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html
 */
export function evaluateConsent(consent: Consent, requestingClientId: string, now: Date = new Date()): ConsentDecision {
  if (consent.status !== 'active') return { ok: false, reason: 'the Consent is not active' };
  const policies = new Set((consent.policy ?? []).map((policy) => policy.uri).filter((uri): uri is string => typeof uri === 'string'));
  if (consent.policyRule?.coding?.length) return { ok: false, reason: 'the Consent policyRule is not supported; use policy.uri' };
  const known = [...policies].map((uri) => CONSENT_POLICIES[uri]);
  if (known.length !== 1 || known[0] === undefined) {
    return { ok: false, reason: `the Consent must carry exactly one supported policy (${Object.keys(CONSENT_POLICIES).join(', ')})` };
  }
  const start = parseInstant(consent.provision?.period?.start);
  const end = parseInstant(consent.provision?.period?.end);
  if (!start || !end || end <= start) return { ok: false, reason: 'the Consent provision.period needs a valid start and end' };
  if (now < start) return { ok: false, reason: 'the Consent period has not started' };
  if (now >= end) return { ok: false, reason: 'the Consent period has ended' };
  const named = [
    ...(consent.performer ?? []),
    ...(consent.organization ?? []),
    ...(consent.provision?.actor ?? []).filter((actor) => actor.role?.coding?.some((coding) => coding.code === 'IRCP')).map((actor) => actor.reference),
  ];
  if (!named.some((reference) => namesPayer(reference, requestingClientId))) {
    return { ok: false, reason: 'the Consent does not name the requesting payer' };
  }
  return { ok: true, policy: known[0], start, end };
}

function namesPayer(reference: Reference | undefined, clientId: string): boolean {
  const identifier = reference?.identifier;
  return identifier?.value === clientId && (identifier.system === undefined || identifier.system === PAYER_IDENTIFIER_SYSTEM);
}

/** A FHIR date or dateTime; a date alone is its first instant (UTC); anything else (year 0000, 30 February, 24:00 …) none. */
function parseInstant(text: string | undefined): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const parsed = parseFhirInstant(text);
  return parsed.ok ? parsed.instant : undefined;
}
