import { describeScopes } from './scope-descriptions';

describe(describeScopes.name, () => {
  it('describes each scope once, in words', () => {
    expect(describeScopes('openid profile patient/*.read patient/Patient.read patient/Patient.rs')).toEqual([
      'Confirm your identity to the app',
      'Your name and user name',
      'All of your health plan records: claims, coverage, demographics and clinical data (read only)',
      'Your demographic information (name, birth date, gender, address) (read only)',
    ]);
  });

  it('says when an app could change data', () => {
    expect(describeScopes('patient/Observation.cruds')).toEqual(['Your Observation records (read and change)']);
  });

  it('names the part of a type a granular scope reaches, never the whole type', () => {
    expect(
      describeScopes(
        [
          'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
          'patient/Condition.rs?category=http://hl7.org/fhir/us/core/CodeSystem/condition-category|health-concern',
          'patient/ExplanationOfBenefit.rs?type=http://terminology.hl7.org/CodeSystem/claim-type|pharmacy',
          'patient/Observation.rs?category=http://example.org/cs|constructor',
        ].join(' '),
      ),
    ).toEqual([
      'Your laboratory results (read only)',
      'Your health concerns (read only)',
      'Your pharmacy claims (read only)',
      "Your Observation records of category 'constructor' only (read only)",
    ]);
  });

  it('lists offline access where it is granted', () => {
    expect(describeScopes('openid offline_access')).toEqual(['Confirm your identity to the app', 'Keep access even when you are not using the app']);
    expect(describeScopes('openid')).toEqual(['Confirm your identity to the app']);
  });
});
