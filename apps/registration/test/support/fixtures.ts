import { randomBytes } from 'node:crypto';
import { sandboxEventSigningJwk } from '@payer-access/events';

/** Request bodies as a registrant would send them (seeds 000 and 001). */
export function applicationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Acme Health Record',
    companyName: 'Acme Health Apps, Inc.',
    companyUrl: 'https://acme-health.example',
    privacyPolicyUrl: 'https://acme-health.example/privacy',
    termsUrl: 'https://acme-health.example/terms',
    redirectUris: ['https://acme-health.example/oauth/callback'],
    clientType: 'confidential',
    logoUrl: 'https://acme-health.example/logo.png',
    contactEmail: 'api-access@acme-health.example',
    contactPhone: '+1 919-555-0100',
    attestations: {
      privacyPolicyCoversDataSharing: true,
      privacyPolicyRequiresExpressConsent: true,
      privacyPolicyExplainsDiscontinuation: true,
      supportsOpenIdConnectAndOAuth2: true,
      conformsToHl7Standards: true,
      storesTokensSecurely: true,
      sellsMemberData: false,
      adheresToCarinCodeOfConduct: true,
    },
    ...overrides,
  };
}

export function payerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Carolina Mutual Health Plan',
    companyUrl: 'https://carolina-mutual.example',
    privacyPolicyUrl: 'https://carolina-mutual.example/privacy',
    redirectUris: ['https://carolina-mutual.example/oauth/callback'],
    documentEmail: 'payer-documents@carolina-mutual.example',
    contactEmail: 'interop@carolina-mutual.example',
    contactPhone: '+1 704-555-0142',
    attestations: {
      supportsOpenIdConnectAndOAuth2: true,
      conformsToHl7Standards: true,
      storesTokensSecurely: true,
      adheresToCarinCodeOfConduct: true,
    },
    ...overrides,
  };
}

export function accountBody(email: string, kind: 'developer' | 'payer'): Record<string, unknown> {
  return { email, password: 'correct horse battery staple', name: 'Ada Lovelace', organization: 'Acme', phone: '+1 919-555-0100', kind };
}

/**
 * The event keys production requires: registration signs with its sandbox key (so that tests can
 * verify with the sandbox public key) and seals secret hashes with a key of this run.
 */
export const PRODUCTION_EVENT_KEYS = {
  REGISTRATION_EVENT_SIGNING_KEY: JSON.stringify(sandboxEventSigningJwk('registration')),
  CLIENT_SECRET_SEALING_KEY: randomBytes(32).toString('base64url'),
};
