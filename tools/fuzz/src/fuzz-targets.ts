import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { issueTokens } from '../../bench/src/member-journey';
import { SEED_CLIENT } from '../../platform-e2e/test/support/http';
import { RegistrationApi } from '../../platform-e2e/test/support/registration';
import type { FuzzContext } from './request-generator';
import type { LocalPlatform, ServiceName } from './local-platform';
import { authorizationRoutes, type Route, routesFromCapabilityStatement, routesFromOpenApi } from './route-catalog';
import { freshTotpCode } from '@payer-access/testing';

export interface FuzzTargets {
  readonly routes: readonly Route[];
  readonly context: FuzzContext;
  /** A member's access token, to prove after the campaign that the FHIR API still serves data. */
  readonly memberAccessToken: string;
  readonly memberPatientId: string;
}

const DEVELOPER = { email: 'fuzz-developer@acme-health.example', password: 'fuzz developer password 1' };

/**
 * Every route of the three services (their OpenAPI documents, the FHIR capability statement, the
 * OAuth discovery document and the member pages) and what an honest caller of each would hold: a
 * developer's and an admin's portal tokens, a member's access token from the real journey of seed
 * 002, the seed client's credentials, real ids.
 */
export async function discoverTargets(platform: LocalPlatform): Promise<FuzzTargets> {
  const { urls } = platform;
  await waitUntilReady(urls);
  const routes: Route[] = [];
  for (const service of ['registration', 'authorization', 'fhir'] as const) {
    routes.push(...routesFromOpenApi(service, await getJson(`${urls[service]}/docs-json`)));
  }
  routes.push(...routesFromCapabilityStatement(platform.fhirBasePath, await getJson(`${urls.fhir}${platform.fhirBasePath}/metadata`)));
  routes.push(...authorizationRoutes(await getJson(`${urls.authorization}/.well-known/openid-configuration`), SEED_CLIENT.clientId, SEED_CLIENT.redirectUri));

  await postJson(`${urls.registration}/v1/accounts`, { email: DEVELOPER.email, password: DEVELOPER.password, name: 'Fuzz Developer', organization: 'Acme', phone: '+1 919-555-0100', kind: 'developer' });
  // Registrations need a confirmed address: follow the link of the verification mail.
  await new RegistrationApi(urls.registration, platform.mail).confirmAddress(DEVELOPER.email);
  const developer = String((await postJson(`${urls.registration}/v1/auth/login`, DEVELOPER)).access_token);
  const admin = await staffToken(urls.registration, platform.admin);
  const registration = await postJson(
    `${urls.registration}/v1/applications`,
    {
      name: 'Fuzz Health Record',
      companyName: 'Acme Health Apps, Inc.',
      companyUrl: 'https://acme-health.example',
      privacyPolicyUrl: 'https://acme-health.example/privacy',
      termsUrl: 'https://acme-health.example/terms',
      redirectUris: ['https://acme-health.example/oauth/callback'],
      clientType: 'confidential',
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
    },
    developer,
  );

  const member = SANDBOX_MEMBERS[0];
  const tokens = await issueTokens(
    urls.authorization,
    { registrationId: 'sandbox', clientId: SEED_CLIENT.clientId, clientSecret: SEED_CLIENT.clientSecret, redirectUri: SEED_CLIENT.redirectUri, name: 'sandbox', developerToken: developer },
    member,
  );
  const basic = `Basic ${Buffer.from(`${SEED_CLIENT.clientId}:${SEED_CLIENT.clientSecret}`).toString('base64')}`;
  const credentials: Record<ServiceName, string[]> = {
    registration: [`Bearer ${developer}`, `Bearer ${admin}`],
    authorization: [`Bearer ${tokens.accessToken}`, basic],
    fhir: [`Bearer ${tokens.accessToken}`],
  };
  return {
    routes,
    context: {
      credentials,
      pathValues: {
        id: [String(registration.id), member.patientId],
        resourceType: ['Patient', 'ExplanationOfBenefit', 'Coverage'],
        grantId: ['00000000-0000-0000-0000-000000000000'],
        uid: ['interaction'],
        query: [`patient=${member.patientId}`, '_count=5', '_sort=-_lastUpdated', '_include=ExplanationOfBenefit:patient', 'type=pde', `_id=${member.patientId}`],
      },
    },
    memberAccessToken: tokens.accessToken,
    memberPatientId: member.patientId,
  };
}

/** After the campaign: every service ready, and real requests still served as before. */
export async function healthProblems(platform: LocalPlatform, targets: FuzzTargets): Promise<string[]> {
  const problems: string[] = [];
  for (const [service, url] of Object.entries(platform.urls)) {
    const response = await fetch(`${url}/health/ready`).catch((error: unknown) => ({ status: 0, error }));
    if (response.status !== 200) problems.push(`${service} /health/ready answered ${response.status}`);
  }
  const read = await fetch(`${platform.urls.fhir}${platform.fhirBasePath}/Patient/${targets.memberPatientId}`, { headers: { authorization: `Bearer ${targets.memberAccessToken}` } });
  if (read.status !== 200) problems.push(`a member's Patient read answered ${read.status}`);
  const login = await fetch(`${platform.urls.registration}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEVELOPER) });
  if (login.status !== 200) problems.push(`a developer's login answered ${login.status}`);
  return problems;
}

async function waitUntilReady(urls: Readonly<Record<ServiceName, string>>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const url of Object.values(urls)) {
    while ((await fetch(`${url}/health/ready`).then((response) => response.status, () => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error(`${url} is not ready after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}

/** Staff must have a second factor: the admin enrols one at its first login, as the portal would. */
async function staffToken(registrationUrl: string, admin: { email: string; password: string }): Promise<string> {
  const step = await postJson(`${registrationUrl}/v1/auth/login`, admin);
  const stepToken = { second_factor_token: step.second_factor_token };
  const { secret } = await postJson(`${registrationUrl}/v1/auth/second-factor/enrolment`, stepToken);
  return String((await postJson(`${registrationUrl}/v1/auth/second-factor/enrolment/confirm`, { ...stepToken, code: await freshTotpCode(String(secret)) })).access_token);
}

async function postJson(url: string, body: unknown, bearer?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as Record<string, unknown>;
}
