import { APPLICATION_SCOPES, PAYER_SCOPES, snapshotOf } from './client-events';
import type { RegistrationEntity } from './registration.entity';

const SEALED = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn';

function registration(overrides: Partial<RegistrationEntity>): RegistrationEntity {
  return {
    kind: 'application',
    name: 'Acme Health Record',
    companyName: 'Acme',
    companyUrl: 'https://acme.example',
    privacyPolicyUrl: 'https://acme.example/privacy',
    termsUrl: null,
    logoUrl: null,
    redirectUris: ['https://acme.example/cb'],
    clientType: 'confidential',
    dataAccessType: 'thirteen_month',
    contactEmail: 'dev@acme.example',
    secretHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    ...overrides,
  } as RegistrationEntity;
}

describe(snapshotOf.name, () => {
  it('describes an application: patient scopes, no client_credentials, no empty optional URLs', () => {
    const snapshot = snapshotOf(registration({}), SEALED);
    expect(snapshot).toEqual({
      name: 'Acme Health Record',
      clientType: 'confidential',
      redirectUris: ['https://acme.example/cb'],
      sealedSecretHash: SEALED,
      allowedScopes: APPLICATION_SCOPES,
      system: false,
      companyName: 'Acme',
      contactEmail: 'dev@acme.example',
      policyUri: 'https://acme.example/privacy',
      dataAccessType: 'thirteen_month',
    });
  });

  it('carries the data-access type of an application, not of a payer', () => {
    expect(snapshotOf(registration({ dataAccessType: 'research' }), SEALED).dataAccessType).toBe('research');
    expect(snapshotOf(registration({ kind: 'payer', dataAccessType: 'research' }), SEALED)).not.toHaveProperty('dataAccessType');
  });

  it('lets a payer use client_credentials with system scopes', () => {
    const snapshot = snapshotOf(registration({ kind: 'payer' }), SEALED);
    expect(snapshot.system).toBe(true);
    expect(snapshot.allowedScopes).toEqual(PAYER_SCOPES);
    expect(PAYER_SCOPES).toEqual(expect.arrayContaining(['system/*.read']));
  });

  it('never publishes a secret hash for a public client', () => {
    expect(snapshotOf(registration({ clientType: 'public', secretHash: 'stale' }), SEALED).sealedSecretHash).toBeNull();
  });

  it('copies the redirect URIs, so later edits cannot change a queued event', () => {
    const source = registration({});
    const snapshot = snapshotOf(source, SEALED);
    source.redirectUris.push('https://evil.example/cb');
    expect(snapshot.redirectUris).toEqual(['https://acme.example/cb']);
  });
});
