import { SCOPES_SUPPORTED } from './scope.policy';
import { authorizationServerPaths, buildSmartConfiguration } from './smart-configuration';

describe('SMART configuration', () => {
  const settings = { issuer: 'https://auth.plan.example/', authorizePath: '/oauth/authorize', tokenPath: '/oauth/v2/token' };

  it('puts revocation and introspection beside the token endpoint', () => {
    expect(authorizationServerPaths(settings)).toMatchObject({ revocation: '/oauth/v2/revoke', introspection: '/oauth/v2/introspect', jwks: '/jwks' });
  });

  it('builds every endpoint on the issuer, and is the same for the same settings', () => {
    const document = buildSmartConfiguration(settings);
    expect(document).toMatchObject({
      issuer: 'https://auth.plan.example/',
      authorization_endpoint: 'https://auth.plan.example/oauth/authorize',
      token_endpoint: 'https://auth.plan.example/oauth/v2/token',
      revocation_endpoint: 'https://auth.plan.example/oauth/v2/revoke',
      introspection_endpoint: 'https://auth.plan.example/oauth/v2/introspect',
      jwks_uri: 'https://auth.plan.example/jwks',
      userinfo_endpoint: 'https://auth.plan.example/connect/userinfo',
      scopes_supported: [...SCOPES_SUPPORTED],
    });
    expect(JSON.stringify(buildSmartConfiguration({ ...settings }))).toBe(JSON.stringify(document));
  });

  it('advertises private_key_jwt with the two algorithms SMART Backend Services requires', () => {
    const configuration = buildSmartConfiguration(settings);
    expect(configuration.capabilities).toContain('client-confidential-asymmetric');
    expect(configuration.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(configuration.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS384', 'ES384']);
  });

  it('never advertises PKCE plain', () => {
    expect(buildSmartConfiguration(settings).code_challenge_methods_supported).toEqual(['S256']);
  });
});
