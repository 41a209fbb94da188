import { parseMemberMatch, type MemberMatchInput } from '../member-match/member-match.parameters';

/** Most members one `$bulk-member-match` request may carry. */
export const MAX_MEMBER_BUNDLES = 1000;

/** The largest `$bulk-member-match` body read: MAX_MEMBER_BUNDLES members of a few kB each. */
export const BULK_MEMBER_MATCH_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export type ParsedBulkMemberMatch =
  | { readonly ok: true; readonly members: readonly MemberMatchInput[] }
  | { readonly ok: false; readonly problem: string; readonly expression?: string };

/**
 * The body of PDex `$bulk-member-match`: repeated `MemberBundle` parameters, each holding the parts
 * of one HRex `$member-match` (MemberPatient, CoverageToMatch, optional CoverageToLink, Consent),
 * each read by the single operation's own parser so that both check one set of rules.
 * http://hl7.org/fhir/us/davinci-pdex/OperationDefinition/BulkMemberMatch
 */
export function parseBulkMemberMatch(body: unknown): ParsedBulkMemberMatch {
  if (!isObject(body) || body.resourceType !== 'Parameters') return { ok: false, problem: 'The body must be a FHIR Parameters resource' };
  if (!Array.isArray(body.parameter) || body.parameter.length === 0) return { ok: false, problem: 'Parameters.parameter must be a non-empty array of MemberBundle', expression: 'Parameters.parameter' };
  if (body.parameter.length > MAX_MEMBER_BUNDLES) return { ok: false, problem: `At most ${MAX_MEMBER_BUNDLES} MemberBundle parameters per request`, expression: 'Parameters.parameter' };
  const members: MemberMatchInput[] = [];
  for (const [index, bundle] of body.parameter.entries()) {
    const where = `Parameters.parameter[${index}]`;
    if (!isObject(bundle) || bundle.name !== 'MemberBundle') return { ok: false, problem: 'Each parameter must be a MemberBundle', expression: where };
    if (!Array.isArray(bundle.part)) return { ok: false, problem: 'MemberBundle.part must be an array', expression: `${where}.part` };
    const parsed = parseMemberMatch({ resourceType: 'Parameters', parameter: bundle.part });
    if (!parsed.ok) return { ok: false, problem: `MemberBundle ${index}: ${parsed.problem}`, expression: parsed.expression?.replace(/^Parameters\.parameter/, `${where}.part`) ?? where };
    members.push(parsed.input);
  }
  return { ok: true, members };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
