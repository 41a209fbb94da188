import { createRemoteJWKSet, jwtVerify } from 'jose';
import { runJourney } from './support/member-journey';
import { FHIR_BASE, SEED_CLIENT, authorizeUrl, seedTokenRequest, startTestService, tokenRequest, type TestService } from './support/test-service';

const LAB = 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
const PHARMACY = 'patient/ExplanationOfBenefit.rs?type=http://terminology.hl7.org/CodeSystem/claim-type|pharmacy';
/** A constraint the FHIR service could not enforce: dropped, like any scope the platform does not know. */
const BY_CODE = 'patient/Observation.rs?code=http://loinc.org|4548-4';

/**
 * Granular SMART v2 scopes through the member's authorization: shown to the member for what they
 * reach, granted as requested, and carried by the token the FHIR service reads.
 */
describe('granular scopes at the authorization service', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('advertises them in both discovery documents', async () => {
    for (const path of ['/.well-known/smart-configuration', '/.well-known/openid-configuration']) {
      const body = (await (await fetch(`${service.url}${path}`)).json()) as { scopes_supported: string[]; capabilities?: string[] };
      expect(body.scopes_supported).toEqual(expect.arrayContaining([LAB, PHARMACY]));
      expect(body.scopes_supported).not.toContain(BY_CODE);
    }
  });

  it('grants them as requested, describes them on the consent page, and puts them in the token', async () => {
    const pages = new Map<string, string>();
    const scope = `openid fhirUser ${LAB} ${PHARMACY} ${BY_CODE}`;
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { scope }), {
      onPage: (step, body) => pages.set(step, body),
    });
    const consent = pages.get('consent') ?? '';
    expect(consent).toContain('Your laboratory results (read only)');
    expect(consent).toContain('Your pharmacy claims (read only)');
    expect(consent).not.toContain('All of your health plan records');

    const response = await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.scope).toBe(`openid fhirUser ${LAB} ${PHARMACY}`);
    const { payload } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL(`${service.url}/jwks`)), {
      issuer: service.url,
      audience: FHIR_BASE,
      typ: 'at+jwt',
    });
    expect(payload.scope).toBe(`openid fhirUser ${LAB} ${PHARMACY}`);
  });

  it('keeps them on refresh', async () => {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { scope: `openid offline_access ${LAB}` }));
    const first = (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, unknown>;
    const refreshed = await tokenRequest(service.url, {
      grant_type: 'refresh_token',
      refresh_token: String(first.refresh_token),
      client_id: SEED_CLIENT.clientId,
      client_secret: SEED_CLIENT.secret,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe(`openid offline_access ${LAB}`);
  });

  it('drops an oversized or malformed constraint and still completes the authorization', async () => {
    const oversized = `patient/Observation.rs?category=http://x.example/${'a'.repeat(10_000)}|laboratory`;
    for (const bad of [oversized, 'patient/Observation.rs?category=', 'patient/Observation.rs?category=a|', `${LAB}&${LAB.split('?')[1]}`]) {
      const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { scope: `openid ${bad}` }));
      const body = (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, unknown>;
      expect(body.scope).toBe('openid');
    }
  });

  it('keeps a broad scope asked beside a granular one for the same type', async () => {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { scope: `openid ${LAB} patient/Observation.rs` }));
    const body = (await (await seedTokenRequest(service.url, redirect?.searchParams.get('code') ?? '')).json()) as Record<string, unknown>;
    expect(body.scope).toBe(`openid ${LAB} patient/Observation.rs`);
  });
});
