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

  it('leaves out offline access where no refresh token will be issued (one-time apps)', () => {
    expect(describeScopes('openid offline_access')).toEqual(['Confirm your identity to the app', 'Keep access even when you are not using the app']);
    expect(describeScopes('openid offline_access', { offline: false })).toEqual(['Confirm your identity to the app']);
  });
});
