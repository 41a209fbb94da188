import { normalizeScope } from './provider-mount.middleware';

describe(normalizeScope.name, () => {
  it("keeps the seed's scopes, fixes the case it writes and drops what is unknown", () => {
    expect(normalizeScope('openid read profile patient/*.read')).toBe('openid profile patient/*.read');
    expect(normalizeScope('patient/*.read openID FHIRUser')).toBe('patient/*.read openid fhirUser');
  });

  it('keeps SMART v2 scopes and launch context as written', () => {
    expect(normalizeScope('launch/patient offline_access patient/Coverage.rs')).toBe('launch/patient offline_access patient/Coverage.rs');
  });

  it('gives an empty scope for nothing understood', () => {
    expect(normalizeScope('read write')).toBe('');
  });
});
