/**
 * The synthetic members of the sandbox (seed 002) and the FHIR Patient each one is linked to.
 * The authorization service seeds their accounts from this list and the synthetic data set
 * generates their records, so both sides agree without reading each other's tables.
 */
export interface SandboxMember {
  username: string;
  password: string;
  patientId: string;
  /** The member's name, the same in the authorization server's profile (userinfo) and the FHIR Patient. */
  givenName: string;
  familyName: string;
  /** What the seed shows for this member, and therefore what the synthetic data reproduces. */
  note: string;
}

export const SANDBOX_MEMBERS: readonly SandboxMember[] = [
  { username: 'BCNCUser03', password: 'BCNCPSWD03', patientId: '-20140000000024', givenName: 'Carlos', familyName: 'Smith', note: '148 claims: 44 carrier, 1 inpatient, 103 pde' },
  { username: 'BCNCUser04', password: 'BCNCPSWD04', patientId: '-20140000008325', givenName: 'Jane', familyName: 'Doe', note: "the seed's Patient example: Jane X Doe, born 2014-06-01" },
  { username: 'BCNCUser05', password: 'BCNCPSWD05', patientId: '-19990000000001', givenName: 'Patricia', familyName: 'Rodriguez', note: "the seed's _lastUpdated example (2020-02-13T21:53:06.017-05:00)" },
  { username: 'BCNCUser06', password: 'BCNCPSWD06', patientId: '-20140000000031', givenName: 'John', familyName: 'Hernandez', note: 'a member with a mix of every claim type' },
];
