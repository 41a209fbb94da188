import type { Consent } from '@medplum/fhirtypes';
import { evaluateConsent, PAYER_IDENTIFIER_SYSTEM } from './consent.rules';

const REGULAR = 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular';
const SENSITIVE = 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#sensitive';
const now = new Date('2026-06-01T00:00:00Z');
const consent = (overrides: Partial<Consent> = {}): Consent => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '64292-6' }] }],
  policy: [{ uri: REGULAR }],
  performer: [{ identifier: { system: PAYER_IDENTIFIER_SYSTEM, value: 'PayerA' } }],
  provision: { type: 'permit', period: { start: '2026-01-01', end: '2027-01-01' } },
  ...overrides,
});

describe(evaluateConsent.name, () => {
  it('honours a regular consent naming the payer, within its period', () => {
    expect(evaluateConsent(consent(), 'PayerA', now)).toEqual({ ok: true, policy: 'all', start: new Date('2026-01-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  });

  it('takes the edges of the calendar: a leap day, and the last day of year 9999', () => {
    expect(evaluateConsent(consent({ provision: { period: { start: '2024-02-29', end: '9999-12-31' } } }), 'PayerA', now)).toEqual({
      ok: true,
      policy: 'all',
      start: new Date('2024-02-29T00:00:00Z'),
      end: new Date('9999-12-31T00:00:00Z'),
    });
  });

  it('maps the sensitive policy to non-sensitive data and accepts the payer as organization', () => {
    const decision = evaluateConsent(consent({ policy: [{ uri: SENSITIVE }], performer: undefined, organization: [{ identifier: { value: 'PayerA' } }] }), 'PayerA', now);
    expect(decision).toMatchObject({ ok: true, policy: 'non-sensitive' });
  });

  it.each([
    ['another payer', consent(), 'PayerB'],
    ['the payer under another identifier system', consent({ performer: [{ identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: 'PayerA' } }] }), 'PayerA'],
    ['an expired period', consent({ provision: { period: { start: '2024-01-01', end: '2026-06-01' } } }), 'PayerA'],
    ['a period not started', consent({ provision: { period: { start: '2026-06-02', end: '2027-01-01' } } }), 'PayerA'],
    ['an open-ended period', consent({ provision: { period: { start: '2026-01-01' } } }), 'PayerA'],
    ['an impossible date', consent({ provision: { period: { start: '2026-02-30', end: '2027-01-01' } } }), 'PayerA'],
    ['a start in year 0000', consent({ provision: { period: { start: '0000-01-01', end: '2027-01-01' } } }), 'PayerA'],
    ['a start on 29 February of a common year', consent({ provision: { period: { start: '2023-02-29', end: '2027-01-01' } } }), 'PayerA'],
    ['an end at 24:00', consent({ provision: { period: { start: '2026-01-01', end: '2026-12-31T24:00:00Z' } } }), 'PayerA'],
    ['an end in month 13', consent({ provision: { period: { start: '2026-01-01', end: '2026-13-01' } } }), 'PayerA'],
    ['an unsupported policy', consent({ policy: [{ uri: 'http://example.org/policy#all' }] }), 'PayerA'],
    ['two policies', consent({ policy: [{ uri: REGULAR }, { uri: SENSITIVE }] }), 'PayerA'],
    ['no policy', consent({ policy: undefined }), 'PayerA'],
    ['an inactive consent', consent({ status: 'rejected' }), 'PayerA'],
  ])('refuses %s', (_case, input, clientId) => {
    expect(evaluateConsent(input, clientId, now).ok).toBe(false);
  });
});
