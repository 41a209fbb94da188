import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import type { Patient } from '@medplum/fhirtypes';
import { generateSyntheticData } from './synthetic-data.generator';

describe('sandbox members', () => {
  it("have the same name in their FHIR Patient as in the authorization server's profile", () => {
    const patients = new Map<string, Patient>();
    for (const resource of generateSyntheticData({ clinical: false })) {
      if (resource.resourceType === 'Patient') patients.set(resource.id as string, resource as Patient);
    }
    for (const member of SANDBOX_MEMBERS) {
      const name = patients.get(member.patientId)?.name?.[0];
      expect({ username: member.username, family: name?.family, given: name?.given?.[0] }).toEqual({
        username: member.username,
        family: member.familyName,
        given: member.givenName,
      });
    }
  });
});
