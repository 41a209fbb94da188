import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureKafka } from '@payer-access/testing';
import { SignJWT } from 'jose';
import { report, stepWithDiagnostics } from './support/diagnostics';
import { getJson, sendJson, TOKEN_PATH, type JsonResponse } from './support/http';
import { Platform } from './support/platform';
import { eventually, required } from './support/poll';
import { expectStatus, RegistrationApi } from './support/registration';
import { REPO_ROOT } from './support/service-process';

const run = promisify(execFile);

jest.setTimeout(240_000);

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SYSTEM_SCOPES = 'system/Patient.rs system/ExplanationOfBenefit.rs system/Group.rs';
const DEMO_PAYER = 'SbxDemoPayer00000001';

interface Key {
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  kid: string;
}

function ecKey(kid: string): Key {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return { privateKey: pair.privateKey, publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg: 'ES384', use: 'sig' }, kid };
}

function sign(key: Key, clientId: string, tokenUrl: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', kid: key.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenUrl)
    .setJti(randomUUID())
    .setExpirationTime('4m')
    .sign(key.privateKey);
}

async function backendToken(tokenUrl: string, assertion: string): Promise<JsonResponse> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: SYSTEM_SCOPES, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown>, text };
}

/**
 * A payer's SMART Backend Services journey across the services as deployed (separate processes,
 * Kafka, one PostgreSQL): it registers its public key through the registration API, staff approve,
 * the key travels on the client event, and the authorization server issues a system-scoped token
 * for an assertion signed with the private half. A key change waits for staff before it counts.
 * The sandbox's demo payer works with the key and script published in tools/sandbox/demo-payer.
 */
describe('SMART Backend Services across services', () => {
  let started: Platform | undefined;
  const platform = (): Platform => required(started, 'the platform');
  const step = stepWithDiagnostics(() => started?.diagnostics());
  let registration: RegistrationApi;
  let tokenUrl: string;

  beforeAll(async () => {
    const kafka = await ensureKafka();
    started = await Platform.start({ name: 'backend-services', kafkaBrokers: kafka.brokers, kafkaCredentials: kafka.credentials });
    report(`backend-services: services (separate processes): ${started.startupSummary()}`);
    registration = new RegistrationApi(started.registration.url, started.mail);
    tokenUrl = `${started.authorization.url}${TOKEN_PATH}`;
  });

  afterAll(async () => {
    await started?.stop();
  });

  step('gives the sandbox demo payer a token for an assertion signed by the published script', async () => {
      const script = path.join(REPO_ROOT, 'tools/sandbox/demo-payer/sign-assertion.mjs');
      const signed = (await run(process.execPath, [script, tokenUrl], { cwd: REPO_ROOT })).stdout.trim();
      const response = await backendToken(tokenUrl, signed);
      expectStatus(response, 200, 'the demo payer token request');
      expect(response.body).toMatchObject({ token_type: 'Bearer', scope: SYSTEM_SCOPES });
      const replay = await backendToken(tokenUrl, signed);
      expect(replay.status).toBe(401);
      expect(replay.body.error).toBe('invalid_client');
      const smart = await getJson<{ capabilities: string[]; token_endpoint_auth_signing_alg_values_supported: string[] }>(
        `${platform().fhirBase}/.well-known/smart-configuration`,
      );
      expect(smart.body.capabilities).toContain('client-confidential-asymmetric');
      expect(smart.body.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS384', 'ES384']);
      expect(JSON.parse(Buffer.from(signed.split('.')[1] ?? '', 'base64url').toString('utf8')).iss).toBe(DEMO_PAYER);
  });

  step("matches a member with the demo payer's real token and reads only that member", async () => {
      const script = path.join(REPO_ROOT, 'tools/sandbox/demo-payer/sign-assertion.mjs');
      const signed = (await run(process.execPath, [script, tokenUrl], { cwd: REPO_ROOT })).stdout.trim();
      const token = String((await backendToken(tokenUrl, signed)).body.access_token);
      const auth = { authorization: `Bearer ${token}` };
      const fhir = platform().fhirBase;
      // Before a match the payer reaches no member.
      expect((await fetch(`${fhir}/Patient/-20140000008325`, { headers: auth })).status).toBe(404);
      const today = new Date();
      const nextYear = new Date(today.getTime() + 365 * 86_400_000);
      const body = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family: 'Doe', given: ['Jane'] }], birthDate: '2014-06-01' } },
          { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', status: 'active', subscriberId: '20140000008325', beneficiary: { reference: 'Patient/1' }, payor: [{ display: 'Old plan' }] } },
          {
            name: 'Consent',
            resource: {
              resourceType: 'Consent',
              status: 'active',
              performer: [{ identifier: { system: 'urn:payer-access:client-id', value: DEMO_PAYER } }],
              policy: [{ uri: 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular' }],
              provision: { type: 'permit', period: { start: today.toISOString().slice(0, 10), end: nextYear.toISOString().slice(0, 10) } },
            },
          },
        ],
      };
      const matched = await fetch(`${fhir}/Patient/$member-match`, { method: 'POST', headers: { ...auth, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
      const answer = (await matched.json()) as { parameter?: { name: string; valueIdentifier?: { value?: string } }[] };
      expect(matched.status).toBe(200);
      expect(answer.parameter?.find((part) => part.name === 'MemberIdentifier')?.valueIdentifier?.value).toBe('-20140000008325');
      expect((await fetch(`${fhir}/Patient/-20140000008325`, { headers: auth })).status).toBe(200);
      const search = async (query: string) => (await (await fetch(`${fhir}/${query}`, { headers: auth })).json()) as { total: number; entry?: { resource: Record<string, unknown> }[] };
      const patients = await search('Patient?_count=50');
      expect(patients.entry?.map((entry) => entry.resource.id)).toEqual(['-20140000008325']);
      // Claims older than five years stay with the old plan.
      const fiveYearsAgo = new Date(Date.now() - 5 * 365.25 * 86_400_000).toISOString().slice(0, 10);
      const claims = await search('ExplanationOfBenefit?_count=50');
      expect(claims.entry?.every((entry) => String((entry.resource.billablePeriod as { end?: string } | undefined)?.end ?? entry.resource.created) >= fiveYearsAgo) ?? true).toBe(true);
      expect((await fetch(`${fhir}/Patient/-20140000000024`, { headers: auth })).status).toBe(404);
  });

  step("runs a bulk member match and exports the matched Group with the demo payer's real token", async () => {
      const script = path.join(REPO_ROOT, 'tools/sandbox/demo-payer/sign-assertion.mjs');
      const token = String((await backendToken(tokenUrl, (await run(process.execPath, [script, tokenUrl], { cwd: REPO_ROOT })).stdout.trim())).body.access_token);
      const auth = { authorization: `Bearer ${token}` };
      const fhir = platform().fhirBase;
      const today = new Date();
      const period = { start: today.toISOString().slice(0, 10), end: new Date(today.getTime() + 365 * 86_400_000).toISOString().slice(0, 10) };
      const consent = {
        resourceType: 'Consent',
        status: 'active',
        performer: [{ identifier: { system: 'urn:payer-access:client-id', value: DEMO_PAYER } }],
        policy: [{ uri: 'http://hl7.org/fhir/us/davinci-hrex/StructureDefinition-hrex-consent.html#regular' }],
        provision: { type: 'permit', period },
      };
      const member = (family: string, given: string, birthDate: string, subscriberId: string) => ({
        name: 'MemberBundle',
        part: [
          { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family, given: [given] }], birthDate } },
          { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', status: 'active', subscriberId, beneficiary: { reference: 'Patient/1' }, payor: [{ display: 'Old plan' }] } },
          { name: 'Consent', resource: consent },
        ],
      });
      const body = { resourceType: 'Parameters', parameter: [member('Doe', 'Jane', '2014-06-01', '20140000008325'), member('Nobody', 'Known', '1901-01-01', 'NONE')] };
      const kick = await fetch(`${fhir}/Group/$bulk-member-match`, { method: 'POST', headers: { ...auth, prefer: 'respond-async', 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
      expect(kick.status).toBe(202);
      const poll = async (url: string) =>
        eventually(
          async () => {
            const response = await fetch(url, { headers: auth });
            return response.status === 202 ? undefined : response;
          },
          { what: `the bulk job at ${url}`, timeoutMs: 30_000, intervalMs: 100 },
        );
      const matched = await poll(required(kick.headers.get('content-location') ?? undefined, 'Content-Location'));
      expect(matched.status).toBe(200);
      const groups = (await matched.json()) as { parameter: { name: string; resource: { id: string; quantity: number } }[] };
      const byName = Object.fromEntries(groups.parameter.map((part) => [part.name, part.resource]));
      expect([byName.MatchedMembers.quantity, byName.NonMatchedMembers.quantity, byName.ConsentConstrainedMembers.quantity]).toEqual([1, 1, 0]);

      const exported = await fetch(`${fhir}/Group/${byName.MatchedMembers.id}/$davinci-data-export?_type=Patient,ExplanationOfBenefit`, { headers: { ...auth, prefer: 'respond-async' } });
      expect(exported.status).toBe(202);
      const done = await poll(required(exported.headers.get('content-location') ?? undefined, 'Content-Location'));
      expect(done.status).toBe(200);
      const manifest = (await done.json()) as { requiresAccessToken: boolean; output: { type: string; url: string; count: number }[] };
      expect(manifest.requiresAccessToken).toBe(true);
      // Her claims within the five-year look-back, if any, come as a second file.
      expect(manifest.output.map((entry) => entry.type)).toEqual(expect.arrayContaining(['Patient']));
      for (const entry of manifest.output) {
        expect((await fetch(entry.url)).status).toBe(401);
        const lines = (await (await fetch(entry.url, { headers: auth })).text()).split('\n').filter((line) => line !== '');
        expect(lines).toHaveLength(entry.count);
        for (const line of lines) {
          const resource = JSON.parse(line) as { id: string; patient?: { reference?: string } };
          expect(entry.type === 'Patient' ? resource.id : resource.patient?.reference).toBe(entry.type === 'Patient' ? '-20140000008325' : 'Patient/-20140000008325');
        }
      }
  });

  step('registers a payer with its key, approves it, and honours only the approved key', async () => {
      const suffix = randomBytes(4).toString('hex');
      const email = `payer-${suffix}@platform-e2e.example`;
      const password = `correct horse battery ${suffix}`;
      const signUp = await sendJson('POST', `${platform().registration.url}/v1/accounts`, {
        email,
        password,
        name: 'Pat Payer',
        organization: 'Carolina Mutual',
        phone: '+1 704-555-0142',
        kind: 'payer',
      });
      expectStatus(signUp, 201, 'payer sign-up');
      await registration.confirmAddress(email);
      const owner = await registration.login(email, password);
      const first = ecKey('cm-1');
      const created = await sendJson<{ id: string }>(
        'POST',
        `${platform().registration.url}/v1/payers`,
        {
          name: `Carolina Mutual ${suffix}`,
          companyUrl: 'https://carolina-mutual.example',
          privacyPolicyUrl: 'https://carolina-mutual.example/privacy',
          redirectUris: ['https://carolina-mutual.example/oauth/callback'],
          documentEmail: email,
          contactEmail: email,
          contactPhone: '+1 704-555-0142',
          jwks: { keys: [first.publicJwk] },
          attestations: { supportsOpenIdConnectAndOAuth2: true, conformsToHl7Standards: true, storesTokensSecurely: true, adheresToCarinCodeOfConduct: true },
        },
        owner,
      );
      expectStatus(created, 201, 'POST /v1/payers');
      const approvedAt = performance.now();
      const approved = await registration.admin(created.body.id, 'approve', 'Payer verified; keys confirmed.');
      expectStatus(approved, 200, 'admin approval');
      const clientId = String(approved.body.clientId);

      const granted = await eventually(
        async () => {
          const response = await backendToken(tokenUrl, await sign(first, clientId, tokenUrl));
          return response.status === 200 ? response : undefined;
        },
        { what: 'the approved payer to get a token with its key', timeoutMs: 15_000, intervalMs: 50 },
      );
      report(`backend-services: approval to first private_key_jwt token ${Math.round(performance.now() - approvedAt)} ms`);
      expect(granted.body.scope).toBe(SYSTEM_SCOPES);

      // A new key waits for staff: until then the old key works and the new one does not.
      const second = ecKey('cm-2');
      const held = await sendJson<{ pendingChange: { id: string } | null }>('PATCH', `${platform().registration.url}/v1/registrations/${created.body.id}`, { jwks: { keys: [second.publicJwk] } }, owner);
      expectStatus(held, 200, 'PATCH keys');
      const changeId = required(held.body.pendingChange?.id, 'the pending key change');
      expect((await backendToken(tokenUrl, await sign(second, clientId, tokenUrl))).status).toBe(401);
      expect((await backendToken(tokenUrl, await sign(first, clientId, tokenUrl))).status).toBe(200);

      expectStatus(await registration.decideChange(created.body.id, 'approve-change', changeId, 'Rotation confirmed with the payer.'), 200, 'approve-change');
      await eventually(
        async () => ((await backendToken(tokenUrl, await sign(second, clientId, tokenUrl))).status === 200 ? true : undefined),
        { what: 'the rotated key to be honoured', timeoutMs: 15_000, intervalMs: 50 },
      );
      expect((await backendToken(tokenUrl, await sign(first, clientId, tokenUrl))).status).toBe(401);
  });
});
