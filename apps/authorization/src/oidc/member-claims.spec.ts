import type { MemberGrantEntity } from '../grants/member-grant.entity';
import { representativeClaim } from '../grants/member-grants.service';
import type { MemberAccountEntity } from '../members/member-account.entity';
import { memberClaims } from './member-claims';

const account = { id: 'acc-1', username: 'BCNCUser04', patientId: '-20140000008325', givenName: 'Jane', familyName: 'Doe' } as MemberAccountEntity;

function grant(overrides: Partial<MemberGrantEntity>): MemberGrantEntity {
  return { patientId: '-20140000008325', relationship: null, relationshipText: null, representativeName: null, relatedPersonId: null, withholdDemographics: false, ...overrides } as MemberGrantEntity;
}

describe(memberClaims.name, () => {
  it('names the Patient for the member acting for themself', () => {
    expect(memberClaims(account, grant({}))).toEqual({
      sub: 'acc-1',
      preferred_username: 'BCNCUser04',
      given_name: 'Jane',
      family_name: 'Doe',
      name: 'Jane Doe',
      patient: '-20140000008325',
      fhirUser: 'Patient/-20140000008325',
    });
  });

  it('names a RelatedPerson for a representative and leaves names out when demographics are withheld', () => {
    const claims = memberClaims(account, grant({ relationship: 'court_ordered_guardianship', representativeName: 'Gale', relatedPersonId: 'rp-1', withholdDemographics: true }));
    expect(claims).toEqual({ sub: 'acc-1', preferred_username: 'BCNCUser04', patient: '-20140000008325', fhirUser: 'RelatedPerson/rp-1' });
  });
});

describe(representativeClaim.name, () => {
  it('is absent for Self, labelled for the listed relationships, and the member-typed text for Other', () => {
    expect(representativeClaim(grant({}))).toBeUndefined();
    expect(representativeClaim(grant({ relationship: 'healthcare_power_of_attorney', representativeName: 'Alex' }))).toEqual({ relationship: 'Active healthcare power of attorney', name: 'Alex' });
    expect(representativeClaim(grant({ relationship: 'other', relationshipText: 'Aunt', representativeName: 'Mary' }))).toEqual({ relationship: 'Aunt', name: 'Mary' });
  });
});
