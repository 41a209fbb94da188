import { Injectable } from '@nestjs/common';
import type { Patient } from '@medplum/fhirtypes';
import { forbidden } from '@payer-access/fhir-models';
import { ScopeName } from '@payer-access/scopes';
import { AccessAuditService } from '../audit/access-audit.service';
import { type FhirPrincipal, withheldBy } from '../auth/fhir-principal';
import { FhirException } from '../common/fhir.exception';
import { ResourceRepository } from '../store/resource.repository';

export interface UserInfo {
  sub: string;
  patient: string;
  fhirUser?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  birthdate?: string;
}

/**
 * UserInfo on the resource server (seed 002's `/v1/connect/userinfo` and `[base]/UserInfo`): the
 * member's basic profile from their Patient record, for a token granted `profile` or `openid`.
 * https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
@Injectable()
export class UserInfoService {
  constructor(
    private readonly repository: ResourceRepository,
    private readonly audit: AccessAuditService,
  ) {}

  async userInfo(principal: FhirPrincipal): Promise<UserInfo> {
    if (principal.kind === 'payer') {
      await this.audit.record(principal, { interaction: 'userinfo', status: 403, reason: "a payer's token names no user" }).catch(() => undefined);
      throw new FhirException(forbidden("UserInfo answers for a member's token; a payer's backend token names no user"));
    }
    const named = new Set(principal.scopes.flatMap((scope) => (scope.kind === 'named' ? [scope.name] : [])));
    if (!named.has(ScopeName.Profile) && !named.has(ScopeName.OpenId)) {
      await this.audit.record(principal, { interaction: 'userinfo', status: 403, reason: 'no profile or openid scope' }).catch(() => undefined);
      throw new FhirException(forbidden('UserInfo needs the profile or openid scope'));
    }
    const info: UserInfo = { sub: principal.subject, patient: principal.patientId, fhirUser: principal.fhirUser ?? `Patient/${principal.patientId}` };
    // The store's reader removes withheld demographics: a withheld name is not there to copy.
    const stored = await this.repository.forPatient(principal.patientId, withheldBy(principal)).read('Patient', principal.patientId);
    const patient = stored?.resource as Patient | undefined;
    if (patient) {
      const name = patient.name?.[0];
      if (name) {
        info.given_name = name.given?.[0];
        info.family_name = name.family;
        info.name = name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ');
      }
      if (patient.birthDate) info.birthdate = patient.birthDate;
    }
    // The member's name leaves only with its audit row stored.
    await this.audit.recordOrRefuse(principal, { interaction: 'userinfo', resourceType: 'Patient', resourceId: principal.patientId, status: 200, resultCount: 1 });
    return info;
  }
}
