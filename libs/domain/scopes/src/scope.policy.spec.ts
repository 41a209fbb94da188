import { CLIENT_KIND_SCOPES, SCOPES_SUPPORTED, allowedScopes, clientCredentialsScopes, grantScopes } from './scope.policy';

describe('scope policy', () => {
  it('lets payers ask for everything applications may, and system scopes besides', () => {
    expect(CLIENT_KIND_SCOPES.payer).toEqual(expect.arrayContaining([...CLIENT_KIND_SCOPES.application, 'system/*.read', 'system/*.rs']));
    expect(CLIENT_KIND_SCOPES.application.some((scope) => scope.startsWith('system/'))).toBe(false);
  });

  it('advertises every scope some client kind may be granted, once each', () => {
    expect(SCOPES_SUPPORTED).toEqual(expect.arrayContaining([...CLIENT_KIND_SCOPES.payer]));
    expect(new Set(SCOPES_SUPPORTED).size).toBe(SCOPES_SUPPORTED.length);
    expect(SCOPES_SUPPORTED).toContain('patient/Coverage.rs');
  });

  it('uses the registered scopes when there are any, else the kind’s', () => {
    expect(allowedScopes('payer', [])).toBe(CLIENT_KIND_SCOPES.payer);
    expect(allowedScopes('application', undefined)).toBe(CLIENT_KIND_SCOPES.application);
    expect(allowedScopes('payer', ['patient/Patient.rs'])).toEqual(['patient/Patient.rs']);
  });

  it('grants a member authorization only patient-context data, narrowed to what the client may ask for', () => {
    const granted = grantScopes('openid OpenID fhirUser offline_access read patient/*.read patient/Coverage.write user/*.read system/*.read', CLIENT_KIND_SCOPES.payer);
    expect(granted.scope).toBe('openid fhirUser offline_access patient/*.read');
    expect(granted.oidc).toEqual(['openid', 'fhirUser', 'offline_access']);
    expect(granted.resource).toEqual(['openid', 'fhirUser', 'patient/*.read']);
  });

  it('narrows a resource scope to the registered one rather than widening it', () => {
    const granted = grantScopes('profile patient/*.read', ['profile', 'patient/Coverage.rs']);
    expect(granted.scope).toBe('profile patient/Coverage.rs');
    expect(granted.resource).toEqual(['profile', 'patient/Coverage.rs']);
  });

  it('grants nothing for nothing', () => {
    expect(grantScopes('', CLIENT_KIND_SCOPES.application)).toEqual({ scope: '', oidc: [], resource: [] });
  });

  it('gives client_credentials system scopes only', () => {
    expect(clientCredentialsScopes('openid patient/*.read system/*.read system/Patient.write', CLIENT_KIND_SCOPES.payer)).toBe('system/*.read');
    expect(clientCredentialsScopes('system/*.read', CLIENT_KIND_SCOPES.application)).toBe('');
  });

  it('gives a backend payer the SMART v2 system scopes it names, per type, and advertises them', () => {
    const asked = 'system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs system/Coverage.cruds';
    expect(clientCredentialsScopes(asked, CLIENT_KIND_SCOPES.payer)).toBe('system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs system/Coverage.rs');
    expect(SCOPES_SUPPORTED).toEqual(expect.arrayContaining(['system/Patient.rs', 'system/ExplanationOfBenefit.rs', 'system/Coverage.rs', 'system/Group.rs']));
  });
});
