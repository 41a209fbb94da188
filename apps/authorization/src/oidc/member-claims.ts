import type { MemberGrantEntity } from '../grants/member-grant.entity';
import { fhirUserOf } from '../grants/member-grants.service';
import type { MemberAccountEntity } from '../members/member-account.entity';

/**
 * The OpenID claims of a member (ID token and UserInfo). `fhirUser` names the Patient, or the
 * RelatedPerson when a Personal Representative authorized (SMART App Launch 2, fhirUser).
 * Names are left out when the member chose to withhold demographic data.
 */
export function memberClaims(account: MemberAccountEntity, grant: MemberGrantEntity | null): Record<string, unknown> {
  const withhold = grant?.withholdDemographics === true;
  const name = [account.givenName, account.familyName].filter(Boolean).join(' ');
  return {
    sub: account.id,
    preferred_username: account.username,
    ...(!withhold && account.givenName ? { given_name: account.givenName } : {}),
    ...(!withhold && account.familyName ? { family_name: account.familyName } : {}),
    ...(!withhold && name ? { name } : {}),
    patient: account.patientId,
    fhirUser: grant ? fhirUserOf(grant) : `Patient/${account.patientId}`,
  };
}
