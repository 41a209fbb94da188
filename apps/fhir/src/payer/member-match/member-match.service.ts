import { Inject, Injectable } from '@nestjs/common';
import type { Coverage, Identifier, OperationOutcome, Parameters, Patient } from '@medplum/fhirtypes';
import { badRequest, forbidden, operationOutcome } from '@payer-access/fhir-models';
import { canAccess, ScopeContext } from '@payer-access/scopes';
import { DataSource } from 'typeorm';
import { AccessAuditService } from '../../audit/access-audit.service';
import type { FhirPrincipal } from '../../auth/fhir-principal';
import { FhirException } from '../../common/fhir.exception';
import { fhirBaseUrl, type FhirConfig } from '../../fhir.config';
import { FHIR_CONFIG } from '../../fhir.tokens';
import { evaluateConsent } from './consent.rules';
import { parseMemberMatch, type MemberMatchInput } from './member-match.parameters';
import { matchMember, normalizeBirthDate, type MemberCandidate } from './member-match.rules';

/** https://terminology.hl7.org/CodeSystem-v2-0203.html#v2-0203-MB */
const MEMBER_NUMBER_TYPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB', display: 'Member Number' }] };

/** What one member match decided; only `matched` has linked the member to the payer. */
export type MemberMatchDecision =
  | { readonly outcome: 'matched'; readonly patientId: string; readonly criterion: string; readonly policy: string; readonly identifier: Identifier }
  | { readonly outcome: 'non-matched'; readonly reason: string }
  | { readonly outcome: 'consent-constrained'; readonly patientId: string; readonly reason: string };

/** The 422 of `$member-match`: the request was understood, but no member can be returned. */
function unprocessable(diagnostics: string): FhirException {
  return new FhirException({ status: 422, outcome: operationOutcome('error', 'processing', diagnostics) as OperationOutcome });
}

/**
 * HRex `$member-match` for a payer's backend: matches the member the requesting payer describes
 * against our members (the named rules of `member-match.rules`), checks the member's Consent, and
 * on success links the member to the payer, which is what opens that member's compartment to the
 * payer's token. The payer is the token's client, never anything the body says. Every attempt,
 * matched or not, is in the access audit with the rule that decided it.
 * https://hl7.org/fhir/us/davinci-hrex/OperationDefinition-member-match.html
 */
@Injectable()
export class MemberMatchService {
  private readonly baseUrl: string;

  constructor(
    @Inject(FHIR_CONFIG) config: FhirConfig,
    private readonly dataSource: DataSource,
    private readonly audit: AccessAuditService,
  ) {
    this.baseUrl = fhirBaseUrl(config);
  }

  async memberMatch(principal: FhirPrincipal, body: unknown): Promise<Parameters> {
    let patientId: string | undefined;
    try {
      if (principal.kind !== 'payer' || !canAccess(principal.scopes, { context: ScopeContext.System, resourceType: 'Patient', interaction: 'search' })) {
        throw new FhirException(forbidden("$member-match is for a payer's backend token with system/Patient.rs"));
      }
      const parsed = parseMemberMatch(body);
      if (!parsed.ok) throw new FhirException(badRequest(parsed.problem, parsed.expression));
      const decision = await this.decide(principal.clientId, parsed.input, new Date());
      if (decision.outcome === 'non-matched') throw unprocessable(`No unique member match: ${decision.reason}`);
      patientId = decision.patientId;
      if (decision.outcome === 'consent-constrained') throw unprocessable(`Consent constraint: ${decision.reason}`);
      await this.audit.recordOrRefuse(principal, { interaction: 'member-match', resourceType: 'Patient', resourceId: decision.patientId, status: 200, resultCount: 1, reason: `matched by ${decision.criterion}; consent ${decision.policy}` });
      return {
        resourceType: 'Parameters',
        parameter: [
          { name: 'MemberIdentifier', valueIdentifier: decision.identifier },
          { name: 'MemberId', valueReference: { reference: `Patient/${decision.patientId}` } },
        ],
      };
    } catch (error) {
      if (error instanceof FhirException && !(error.outcome.status === 503)) {
        // The refusal names the member only when one was matched and the consent refused: the audit
        // must show whose data was asked for, the payer's answer never does.
        await this.audit.record(principal, { interaction: 'member-match', resourceType: 'Patient', resourceId: patientId, status: error.outcome.status, reason: error.message }).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * The one decision of a member match, for `$member-match` and each member of `$bulk-member-match`:
   * the named rules pick a unique member, the consent rules decide whether the plan honours the
   * member's Consent for this payer at `now`, and a match with a consent honoured links the member
   * to the payer (which is what opens the member's compartment to its token).
   */
  async decide(clientId: string, input: MemberMatchInput, now: Date): Promise<MemberMatchDecision> {
    const { memberPatient, coverageToMatch, consent } = input;
    const candidates = await this.candidates(memberPatient.birthDate);
    const result = matchMember({ patient: memberPatient, coverage: coverageToMatch }, candidates);
    if (result.outcome === 'none') return { outcome: 'non-matched', reason: 'no member matches the demographics and coverage given' };
    if (result.outcome === 'ambiguous') return { outcome: 'non-matched', reason: 'several members match the demographics and coverage given' };
    const decision = evaluateConsent(consent, clientId, now);
    if (!decision.ok) return { outcome: 'consent-constrained', patientId: result.patientId, reason: decision.reason };
    await this.link(clientId, result.patientId, decision, result.criterion);
    // The answer names the member by the number on the Patient the rules just matched.
    const patient = candidates.find((candidate) => candidate.patientId === result.patientId)?.patient as Patient;
    return { outcome: 'matched', patientId: result.patientId, criterion: result.criterion, policy: decision.policy, identifier: this.memberIdentifier(patient) };
  }

  /** Members born on that day, with their coverages: the only people any rule could match. */
  private async candidates(birthDate: string | undefined): Promise<MemberCandidate[]> {
    const day = normalizeBirthDate(birthDate);
    if (day === '') return [];
    const patients: { id: string; content: Patient }[] = await this.dataSource.query(
      `SELECT id, content FROM resource WHERE resource_type = 'Patient' AND content->>'birthDate' = $1 LIMIT 1000`,
      [day],
    );
    if (patients.length === 0) return [];
    const coverages: { patient_id: string; content: Coverage }[] = await this.dataSource.query(
      `SELECT patient_id, content FROM resource WHERE resource_type = 'Coverage' AND patient_id = ANY($1::text[])`,
      [patients.map((patient) => patient.id)],
    );
    return patients.map((patient) => ({
      patientId: patient.id,
      patient: patient.content,
      coverages: coverages.filter((coverage) => coverage.patient_id === patient.id).map((coverage) => coverage.content),
    }));
  }

  /**
   * Creates the link, or renews it with the new consent: one row per payer and member whatever
   * the number of matches, concurrent ones included (the primary key decides).
   */
  private async link(clientId: string, patientId: string, consent: { policy: string; start: Date; end: Date }, criterion: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO payer_link (client_id, patient_id, consent_policy, period_start, period_end, matched_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (client_id, patient_id) DO UPDATE SET consent_policy = EXCLUDED.consent_policy, period_start = EXCLUDED.period_start,
         period_end = EXCLUDED.period_end, matched_by = EXCLUDED.matched_by, updated_at = now(), revoked_at = NULL`,
      [clientId, patientId, consent.policy, consent.start, consent.end, criterion],
    );
  }

  /** Our member number: the Patient's own identifier carrying its id, else the id under this server's Patient URL. */
  private memberIdentifier(patient: Patient): Identifier {
    const own = patient.identifier?.find((identifier) => identifier.value === patient.id && identifier.system);
    return { type: MEMBER_NUMBER_TYPE, system: own?.system ?? `${this.baseUrl}/Patient`, value: patient.id as string };
  }
}
