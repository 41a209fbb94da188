import type { Coverage, Patient } from '@medplum/fhirtypes';

/**
 * Deterministic member matching for HRex `$member-match`: each criterion is a named rule over
 * fields normalized once (case, diacritics, punctuation and spacing do not count; nothing else is
 * forgiven). Every rule requires the birth date, the family name and at least one identifier the
 * old plan and ours share, so a near miss (a typo in the name, another birth date, a different
 * member id) never returns someone else. The first rule that matches exactly one member wins and is
 * named in the result so that the audit can say why a member was matched.
 * https://hl7.org/fhir/us/davinci-hrex/OperationDefinition-member-match.html
 */

/** The demographics and coverage the requesting payer sent, as it sent them. */
export interface MatchRequest {
  readonly patient: Patient;
  readonly coverage: Coverage;
}

/** One of our members: their Patient and their coverages (current and prior). */
export interface MemberCandidate {
  readonly patientId: string;
  readonly patient: Patient;
  readonly coverages: readonly Coverage[];
}

export type MatchResult =
  | { readonly outcome: 'matched'; readonly patientId: string; readonly criterion: string }
  | { readonly outcome: 'none' }
  | { readonly outcome: 'ambiguous'; readonly criterion: string; readonly count: number };

/** The fields the rules compare, normalized. */
export interface MatchFields {
  readonly family: string;
  readonly given: string;
  readonly birthDate: string;
  /** `system|value` of the Patient's identifiers. */
  readonly identifiers: ReadonlySet<string>;
  /** Subscriber and member ids of the coverages (subscriberId and Coverage.identifier values). */
  readonly memberIds: ReadonlySet<string>;
}

export interface MatchCriterion {
  readonly name: string;
  readonly description: string;
  readonly matches: (request: MatchFields, candidate: MatchFields) => boolean;
}

const sameDemographics = (a: MatchFields, b: MatchFields) => a.birthDate !== '' && a.birthDate === b.birthDate && a.family !== '' && a.family === b.family;
const sameGiven = (a: MatchFields, b: MatchFields) => a.given !== '' && a.given === b.given;
const shares = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].some((value) => b.has(value));

/** Tried in order: the strongest evidence first. */
export const MATCH_CRITERIA: readonly MatchCriterion[] = [
  {
    name: 'patient-identifier',
    description: 'a Patient identifier (system and value), birth date and family name',
    matches: (request, candidate) => sameDemographics(request, candidate) && shares(request.identifiers, candidate.identifiers),
  },
  {
    name: 'coverage-member-id',
    description: "the old coverage's subscriber or member id, birth date, family and first given name",
    matches: (request, candidate) => sameDemographics(request, candidate) && sameGiven(request, candidate) && shares(request.memberIds, candidate.memberIds),
  },
];

/** Lower case, no diacritics, no punctuation or spaces: `O'Brien-Núñez` and `obrien nunez` are one name. */
export function normalizeText(text: string | undefined): string {
  if (typeof text !== 'string') return '';
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** A birth date as `YYYY-MM-DD` when it is a real calendar date, else '' (which matches nothing). */
export function normalizeBirthDate(text: string | undefined): string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return '';
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text ? text : '';
}

export function matchFields(patient: Patient, coverages: readonly Coverage[]): MatchFields {
  const name = patient.name?.find((entry) => entry.use === 'official') ?? patient.name?.[0];
  const identifiers = new Set<string>();
  for (const identifier of patient.identifier ?? []) {
    const value = normalizeId(identifier.value);
    if (value && identifier.system) identifiers.add(`${identifier.system}|${value}`);
  }
  const memberIds = new Set<string>();
  for (const coverage of coverages) {
    for (const value of [coverage.subscriberId, ...(coverage.identifier ?? []).map((identifier) => identifier.value)]) {
      const id = normalizeId(value);
      if (id) memberIds.add(id);
    }
  }
  return {
    family: normalizeText(name?.family),
    given: normalizeText(name?.given?.[0]),
    birthDate: normalizeBirthDate(patient.birthDate),
    identifiers,
    memberIds,
  };
}

/** Identifiers keep their letters and digits; case and separators (`123-45` / `12345`) do not count. */
function normalizeId(value: string | undefined): string {
  return normalizeText(value);
}

export function matchMember(request: MatchRequest, candidates: readonly MemberCandidate[], criteria: readonly MatchCriterion[] = MATCH_CRITERIA): MatchResult {
  const wanted = matchFields(request.patient, [request.coverage]);
  const fields = candidates.map((candidate) => ({ patientId: candidate.patientId, fields: matchFields(candidate.patient, candidate.coverages) }));
  for (const criterion of criteria) {
    const matched = new Set(fields.filter((candidate) => criterion.matches(wanted, candidate.fields)).map((candidate) => candidate.patientId));
    if (matched.size === 1) return { outcome: 'matched', patientId: [...matched][0], criterion: criterion.name };
    if (matched.size > 1) return { outcome: 'ambiguous', criterion: criterion.name, count: matched.size };
  }
  return { outcome: 'none' };
}
