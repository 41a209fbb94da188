import type { Group, Identifier, Patient } from '@medplum/fhirtypes';
import { PAYER_IDENTIFIER_SYSTEM } from '../member-match/consent.rules';

/** The three results of PDex `$bulk-member-match`. */
export type MemberGroupKind = 'matched' | 'non-matched' | 'consent-constrained';

export const MEMBER_GROUP_NAMES: Readonly<Record<MemberGroupKind, string>> = {
  matched: 'MatchedMembers',
  'non-matched': 'NonMatchedMembers',
  'consent-constrained': 'ConsentConstrainedMembers',
};

/** http://hl7.org/fhir/us/davinci-pdex/CodeSystem/PdexMultiMemberMatchResultCS */
export const MATCH_RESULT_SYSTEM = 'http://hl7.org/fhir/us/davinci-pdex/CodeSystem/PdexMultiMemberMatchResultCS';
const RESULT_CODES: Readonly<Record<MemberGroupKind, { code: string; display: string }>> = {
  matched: { code: 'match', display: 'Matched' },
  'non-matched': { code: 'nomatch', display: 'Not Matched' },
  'consent-constrained': { code: 'consentconstraint', display: 'Consent Constraint' },
};
const PROFILES: Readonly<Record<MemberGroupKind, string>> = {
  matched: 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-member-match-group',
  'non-matched': 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-member-no-match-group',
  'consent-constrained': 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-member-no-match-group',
};

/** One member of a result Group: our member (matched), or the member as the payer described them. */
export type GroupMember = { readonly kind: 'ours'; readonly patientId: string; readonly identifier: Identifier } | { readonly kind: 'described'; readonly patient: Patient };

/**
 * A result Group of `$bulk-member-match` in the PDex shape: an actual Group of persons, its result
 * as a characteristic, the requesting payer as managing entity. Matched members are references to
 * our Patients (what the export of this Group reaches); members that were not matched, or whose
 * consent the plan cannot honour, are the payer's own description of them, contained, so the
 * answer never reveals which of our members they might be.
 */
export function memberGroup(id: string, kind: MemberGroupKind, clientId: string, members: readonly GroupMember[], at: Date): Group {
  const contained: Patient[] = [];
  const entries = members.map((member, index) => {
    if (member.kind === 'ours') return { entity: { reference: `Patient/${member.patientId}`, identifier: member.identifier } };
    const { id: _ignored, ...described } = member.patient;
    contained.push({ ...described, resourceType: 'Patient', id: `member-${index + 1}` });
    return { entity: { reference: `#member-${index + 1}` } };
  });
  return {
    resourceType: 'Group',
    id,
    meta: { profile: [PROFILES[kind]], lastUpdated: at.toISOString() },
    ...(contained.length > 0 ? { contained } : {}),
    active: true,
    type: 'person',
    actual: true,
    name: MEMBER_GROUP_NAMES[kind],
    characteristic: [{ code: { coding: [{ system: MATCH_RESULT_SYSTEM, ...RESULT_CODES[kind] }] }, valueBoolean: true, exclude: false }],
    managingEntity: { identifier: { system: PAYER_IDENTIFIER_SYSTEM, value: clientId } },
    quantity: members.length,
    ...(entries.length > 0 ? { member: entries } : {}),
  };
}
