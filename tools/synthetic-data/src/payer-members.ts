/**
 * Former members of the plan whom a new payer asks for over Payer-to-Payer (`$member-match`), with
 * what the new payer knows of them: demographics and the card of their coverage with this plan
 * (its subscriber id). Their claims and clinical data are dated relative to when the data set is
 * loaded, so that the payer look-back of five years keeps showing them as the years pass.
 *
 * Besides the README's member, near misses: a namesake with day and month of birth swapped, one
 * person enrolled twice (any match on her is ambiguous), and two people sharing name and birth date
 * whom only the subscriber id tells apart.
 */
export interface PayerMatchMember {
  readonly patientId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly gender: 'female' | 'male';
  /** The subscriber id on the member's coverage with this plan: what the new payer sends as `CoverageToMatch.subscriberId`. */
  readonly subscriberId: string;
  /** Medicare Beneficiary Identifier, a Patient identifier both plans know (system `http://hl7.org/fhir/sid/us-mbi`). */
  readonly mbi: string;
  /** Days before the load that the member's coverage with this plan ended; undefined while it still runs. */
  readonly coverageEndedDaysAgo?: number;
  readonly note: string;
}

export const MBI_SYSTEM = 'http://hl7.org/fhir/sid/us-mbi';

export const PAYER_MATCH_MEMBERS: readonly PayerMatchMember[] = [
  {
    patientId: '-40000000000001',
    givenName: 'Rosa',
    familyName: 'Delgado',
    birthDate: '1958-03-07',
    gender: 'female',
    subscriberId: 'W24017743',
    mbi: '2RC7WD3PA41',
    coverageEndedDaysAgo: 45,
    note: "the README's walkthrough: matched by her old card's subscriber id; a sensitive diagnosis and a behavioral-health claim",
  },
  {
    patientId: '-40000000000002',
    givenName: 'Rosa',
    familyName: 'Delgado',
    birthDate: '1958-07-03',
    gender: 'female',
    subscriberId: 'W24017851',
    mbi: '5TJ8XN2KD17',
    coverageEndedDaysAgo: 120,
    note: 'a near miss of the first Rosa Delgado: day and month of birth swapped; neither is matched with the other one\'s birth date',
  },
  {
    patientId: '-40000000000003',
    givenName: 'Marcus',
    familyName: 'Webb',
    birthDate: '1953-11-19',
    gender: 'male',
    subscriberId: 'W24018260',
    mbi: '3HN6YQ1CV58',
    note: 'still covered; matched by his Medicare Beneficiary Identifier (the patient-identifier rule)',
  },
  {
    patientId: '-40000000000004',
    givenName: 'Grace',
    familyName: 'Okafor',
    birthDate: '1949-05-22',
    gender: 'female',
    subscriberId: 'W24019034',
    mbi: '4KP2RM7XE30',
    coverageEndedDaysAgo: 200,
    note: 'enrolled twice (a duplicate record, see the next member): a match is ambiguous and refused',
  },
  {
    patientId: '-40000000000005',
    givenName: 'Grace',
    familyName: 'Okafor',
    birthDate: '1949-05-22',
    gender: 'female',
    subscriberId: 'W24019034',
    mbi: '6WF9GH4TB62',
    coverageEndedDaysAgo: 200,
    note: 'the duplicate record of the member before',
  },
  {
    patientId: '-40000000000006',
    givenName: 'Maria',
    familyName: 'Garcia',
    birthDate: '1956-09-14',
    gender: 'female',
    subscriberId: 'W24019587',
    mbi: '7DM3QK8TW25',
    coverageEndedDaysAgo: 90,
    note: 'shares name and birth date with the next member: only the subscriber id tells them apart',
  },
  {
    patientId: '-40000000000007',
    givenName: 'Maria',
    familyName: 'Garcia',
    birthDate: '1956-09-14',
    gender: 'female',
    subscriberId: 'W24019611',
    mbi: '8FX5ZP1HJ94',
    coverageEndedDaysAgo: 30,
    note: 'the other Maria Garcia',
  },
];

/**
 * When each payer member's claims were billed, in days before the load: ten within the last four
 * years, two more than five years back (which a payer never sees, the member's own app does).
 */
export const PAYER_MEMBER_CLAIM_DAYS_AGO: readonly number[] = [75, 225, 375, 525, 675, 825, 975, 1125, 1275, 1425, 2150, 2400];
