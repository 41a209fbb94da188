import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Bundle, ExplanationOfBenefit, Group, OperationOutcome, Parameters, Patient, Resource } from '@medplum/fhirtypes';
import { Client } from 'pg';
import { PAYER_MATCH_MEMBERS, PAYER_MEMBER_CLAIM_DAYS_AGO } from '@payer-access/synthetic-data';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { getJson, TOKEN_PATH } from '../../platform-e2e/test/support/http';
import { freePorts } from '../../platform-e2e/test/support/platform';
import { eventually, required } from '../../platform-e2e/test/support/poll';
import { REPO_ROOT } from '../../platform-e2e/test/support/service-process';
import { startSandbox, type RunningSandbox } from '../src/sandbox';
import { allReady, FHIR_BASE_PATH, sandboxEnv } from './support/sandbox';

const run = promisify(execFile);

// The whole platform with the sandbox data set.
jest.setTimeout(300_000);

const ROSA = PAYER_MATCH_MEMBERS[0];
const FIVE_YEARS_DAYS = 1826;
/** The former members of bulk-member-match.json that match with a consent the plan honours: Marcus Webb, the first Maria Garcia. */
const BULK_MATCHED = [PAYER_MATCH_MEMBERS[2], PAYER_MATCH_MEMBERS[5]].map((member) => member.patientId);
/** Everyone linked to the demo payer once the walkthrough has run: Rosa Delgado by step 2, then the bulk match. */
const LINKED = [ROSA.patientId, ...BULK_MATCHED];

/** The Bulk Data manifest of a completed export. https://hl7.org/fhir/uv/bulkdata/STU2/export.html#response---complete-status */
interface Manifest {
  readonly transactionTime: string;
  readonly request: string;
  readonly requiresAccessToken: boolean;
  readonly output: { type: string; url: string; count: number }[];
  readonly error: unknown[];
}

/** One command of the README's walkthrough, continuation lines joined, and what it printed. */
interface Ran {
  readonly command: string;
  readonly output: string;
}

/**
 * The shell commands of the README's Payer-to-payer walkthrough, as written: the `sh` blocks
 * between its markers, one command per entry (lines ending in `\` joined).
 */
function walkthroughCommands(readme: string): string[] {
  const start = readme.indexOf('<!-- payer-walkthrough:start -->');
  const end = readme.indexOf('<!-- payer-walkthrough:end -->');
  if (start < 0 || end < start) throw new Error('the README has no payer walkthrough markers');
  const commands: string[] = [];
  for (const block of readme.slice(start, end).matchAll(/^( *)```sh\n([\s\S]*?)^ *```$/gm)) {
    const indent = block[1].length;
    const lines = block[2].split('\n').map((line) => line.slice(indent));
    let pending = '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (line.endsWith('\\')) pending += `${line.slice(0, -1)}`;
      else {
        commands.push(`${pending}${line}`.trim());
        pending = '';
      }
    }
  }
  return commands;
}

/**
 * The root README's Payer-to-payer walkthrough, run as a reader would against `npm start`: its
 * exact commands (only the two hosts point at this test's ports) in one shell from the repository
 * root, with the demo payer's published key and the request files beside it.
 */
describe("the README's payer-to-payer walkthrough against the one-process sandbox", () => {
  let database: TestDatabase | undefined;
  let sandbox: RunningSandbox | undefined;
  let authorizationUrl = '';
  let fhirUrl = '';
  let ran: Ran[] = [];
  let payerToken = '';
  // The export's files go to a directory of this test's, not the checkout's `.data/bulk`.
  const bulkDir = mkdtempSync(path.join(tmpdir(), 'pa-walkthrough-bulk-'));
  const output = (fragment: string): string => required(ran.find((entry) => entry.command.includes(fragment)), `the command with ${fragment}`).output;
  const json = <T>(fragment: string): T => JSON.parse(output(fragment)) as T;
  /** What the command beginning with `start` printed (the bulk steps repeat their URLs inside later commands). */
  const outputOf = (start: string): string => required(ran.find((entry) => entry.command.startsWith(start)), `the command ${start}`).output;

  beforeAll(async () => {
    const [created, [registrationPort, authorizationPort, fhirPort]] = await Promise.all([createTestDatabase('pa_payer_walkthrough'), freePorts(3)]);
    database = created;
    authorizationUrl = `http://127.0.0.1:${authorizationPort}`;
    fhirUrl = `http://127.0.0.1:${fhirPort}`;
    sandbox = await startSandbox({
      env: {
        ...sandboxEnv(created.url, { registration: registrationPort, authorization: authorizationPort, fhir: fhirPort }),
        FHIR_BULK_DIR: bulkDir,
      },
      logLevels: ['error'],
    });
    await allReady(sandbox);
    // The demo payer is registered at start and reaches the other services over the bus: wait
    // until the authorization server issues it a token and the FHIR API accepts that token.
    const tokenUrl = `${authorizationUrl}${TOKEN_PATH}`;
    await eventually(
      async () => {
        const assertion = (await run(process.execPath, ['tools/sandbox/demo-payer/sign-assertion.mjs', tokenUrl], { cwd: REPO_ROOT })).stdout.trim();
        const response = await fetch(tokenUrl, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            scope: 'system/Patient.rs',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: assertion,
          }),
        });
        if (response.status !== 200) return false;
        const { access_token: token } = (await response.json()) as { access_token: string };
        return (await getJson(`${fhirUrl}${FHIR_BASE_PATH}/Patient`, token)).status === 200;
      },
      { what: 'the demo payer to be served', timeoutMs: 30_000, intervalMs: 250 },
    );

    const commands = walkthroughCommands(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')).map((command) =>
      command.replaceAll('http://localhost:3002', authorizationUrl).replaceAll('http://localhost:3003', fhirUrl),
    );
    // After the README's commands, the same shell hands the test its token for the checks the README only states.
    const script = ['set -eu', ...commands.flatMap((command, index) => [`echo '@@@ ${index}'`, command, 'echo']), `echo '@@@ token'`, 'echo "$TOKEN"'].join('\n');
    const { stdout } = await run('bash', ['-c', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      maxBuffer: 16 << 20,
    });
    const outputs = stdout.split(/^@@@ (?:\d+|token)\n/m).slice(1);
    ran = commands.map((command, index) => ({ command, output: (outputs[index] ?? '').trim() }));
    payerToken = (outputs[commands.length] ?? '').trim();
  });

  afterAll(async () => {
    await sandbox?.stop();
    await database?.drop();
    rmSync(bulkDir, { recursive: true, force: true });
  });

  it('has the steps the README describes: a token, a match, two reads, two near misses, a bulk match, an export and its download', () => {
    expect(ran.map((entry) => entry.command.split(/\s+/)[0].split('=')[0])).toEqual([
      'TOKEN_URL', 'FHIR', 'ASSERTION', 'TOKEN',
      'curl', 'curl', 'curl', 'curl', 'curl',
      'MATCH_STATUS', 'while', 'curl', 'GROUP',
      'EXPORT_STATUS', 'while', 'curl', 'EOB_FILE', 'curl', 'curl',
    ]);
    // Assignments and polls print nothing; every request printed one JSON document, but for the NDJSON download and the status code without a token.
    for (const entry of ran.filter((entry) => /^[A-Z_]+=|^while /.test(entry.command))) expect(entry.output).toBe('');
    for (const entry of [...ran.slice(4, 9), ran[11], ran[15]]) expect(() => JSON.parse(entry.output)).not.toThrow();
  });

  it("matches Rosa Delgado with member-match.json and answers her member identifier", () => {
    const answer = json<Parameters>('member-match.json');
    expect(answer.resourceType).toBe('Parameters');
    expect(answer.parameter?.find((part) => part.name === 'MemberIdentifier')?.valueIdentifier).toMatchObject({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' }] },
      value: ROSA.patientId,
    });
    expect(answer.parameter?.find((part) => part.name === 'MemberId')?.valueReference).toEqual({ reference: `Patient/${ROSA.patientId}` });
  });

  it('then reads her claims of the last five years: 10 of her 12', () => {
    expect(PAYER_MEMBER_CLAIM_DAYS_AGO).toHaveLength(12);
    expect(PAYER_MEMBER_CLAIM_DAYS_AGO.filter((days) => days < FIVE_YEARS_DAYS - 30)).toHaveLength(10);
    const bundle = json<Bundle<ExplanationOfBenefit>>('ExplanationOfBenefit?patient=');
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.total).toBe(10);
    const fiveYearsAgo = Date.now() - FIVE_YEARS_DAYS * 86_400_000;
    for (const entry of bundle.entry ?? []) {
      expect(entry.resource?.patient.reference).toBe(`Patient/${ROSA.patientId}`);
      expect(Date.parse(entry.resource?.billablePeriod?.end ?? '')).toBeGreaterThan(fiveYearsAgo);
    }
  });

  it('and her whole record with $everything: Patient, coverage, chart and the same claims, sensitive data included, nobody else', () => {
    const bundle = json<Bundle>('$everything');
    expect(bundle.resourceType).toBe('Bundle');
    const resources = (bundle.entry ?? []).map((entry) => required(entry.resource, 'an entry resource'));
    const ofType = (type: string) => resources.filter((resource) => resource.resourceType === type);
    expect(ofType('Patient').map((resource) => resource.id)).toEqual([ROSA.patientId]);
    expect(ofType('Coverage').map((resource) => (resource as { subscriberId?: string }).subscriberId)).toEqual(Array(4).fill(ROSA.subscriberId));
    expect(ofType('ExplanationOfBenefit')).toHaveLength(10);
    for (const type of ['Encounter', 'Observation', 'Condition', 'MedicationRequest', 'Immunization']) expect(ofType(type).length).toBeGreaterThan(0);
    // Her depression: the diagnosis and the claims that name it are labelled, and a #regular consent shows them.
    const sensitive = resources.filter((resource: Resource) => resource.meta?.security?.some((label) => label.code === 'PSY'));
    expect(sensitive.map((resource) => resource.id)).toContain(`cond-${ROSA.patientId.replace(/^-/, 'm')}-sensitive`);
    expect(sensitive.filter((resource) => resource.resourceType === 'ExplanationOfBenefit').length).toBeGreaterThan(0);
    const others = PAYER_MATCH_MEMBERS.slice(1).map((member) => member.patientId);
    expect(JSON.stringify(bundle)).not.toMatch(new RegExp(others.join('|')));
  });

  it.each([
    ['member-match-no-match.json', 'no member matches'],
    ['member-match-two-members.json', 'several members match'],
  ])('refuses the near miss of %s with an OperationOutcome: %s', (file, diagnostics) => {
    const outcome = json<OperationOutcome>(file);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue?.[0]).toMatchObject({ severity: 'error', code: 'processing' });
    expect(outcome.issue?.[0].diagnostics).toContain(diagnostics);
    expect(output(file)).not.toContain('MemberIdentifier');
  });

  it('matches four members in bulk, asynchronously: MatchedMembers 2, NonMatchedMembers 1, ConsentConstrainedMembers 1', () => {
    expect(outputOf('MATCH_STATUS=')).toBe('');
    const result = JSON.parse(outputOf('curl -s "$MATCH_STATUS"')) as Parameters;
    expect(result.resourceType).toBe('Parameters');
    const groups = (result.parameter ?? []).map((part) => ({ name: part.name, group: part.resource as Group }));
    expect(groups.map(({ name, group }) => [name, group.name, group.quantity, group.member?.length ?? 0])).toEqual([
      ['MatchedMembers', 'MatchedMembers', 2, 2],
      ['NonMatchedMembers', 'NonMatchedMembers', 1, 1],
      ['ConsentConstrainedMembers', 'ConsentConstrainedMembers', 1, 1],
    ]);
    const [matched, nonMatched, constrained] = groups.map(({ group }) => group);
    expect(matched.member?.map((member) => member.entity.reference)).toEqual(BULK_MATCHED.map((id) => `Patient/${id}`));
    // The two not linked are the payer's own description of them, contained: the near miss and the Maria Garcia whose consent ended.
    const described = (group: Group) => (group.contained as Patient[] | undefined)?.map((patient) => [patient.name?.[0].given?.[0], patient.name?.[0].family, patient.birthDate]);
    expect(described(nonMatched)).toEqual([['Rosa', 'Delgado', '1958-07-03']]);
    expect(described(constrained)).toEqual([['Maria', 'Garcia', '1956-09-14']]);
    // Never which of our members they might be.
    expect(outputOf('curl -s "$MATCH_STATUS"')).not.toMatch(new RegExp([PAYER_MATCH_MEMBERS[1], PAYER_MATCH_MEMBERS[6]].map((member) => member.patientId).join('|')));
  });

  it("exports the MatchedMembers Group with $davinci-data-export: a manifest of 2 Patients and 20 claims, files behind the payer's token", () => {
    const matched = (JSON.parse(outputOf('curl -s "$MATCH_STATUS"')) as Parameters).parameter?.[0].resource as Group;
    expect(outputOf('EXPORT_STATUS=')).toBe('');
    const manifest = JSON.parse(outputOf('curl -s "$EXPORT_STATUS"')) as Manifest;
    expect(manifest.request).toBe(`${fhirUrl}${FHIR_BASE_PATH}/Group/${matched.id}/$davinci-data-export?_type=Patient,ExplanationOfBenefit`);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.error).toEqual([]);
    expect(Number.isNaN(Date.parse(manifest.transactionTime))).toBe(false);
    expect(manifest.output.map(({ type, count }) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'ExplanationOfBenefit', count: 20 },
      { type: 'Patient', count: 2 },
    ]);
    for (const file of manifest.output) expect(file.url.startsWith(`${fhirUrl}${FHIR_BASE_PATH}/bulk-files/`)).toBe(true);
    // The last command asks for the claims file without the token.
    expect(ran[ran.length - 1].output).toBe('401');
  });

  it('downloads the claims file: 20 lines, each an ExplanationOfBenefit of a matched member within the five years', () => {
    const manifest = JSON.parse(outputOf('curl -s "$EXPORT_STATUS"')) as Manifest;
    const lines = outputOf('curl -s "$EOB_FILE" -H').split('\n');
    expect(lines).toHaveLength(required(manifest.output.find((file) => file.type === 'ExplanationOfBenefit'), 'the claims file').count);
    const fiveYearsAgo = Date.now() - FIVE_YEARS_DAYS * 86_400_000;
    const claims = lines.map((line) => JSON.parse(line) as ExplanationOfBenefit);
    for (const claim of claims) {
      expect(claim.resourceType).toBe('ExplanationOfBenefit');
      expect(BULK_MATCHED.map((id) => `Patient/${id}`)).toContain(claim.patient.reference);
      expect(Date.parse(claim.billablePeriod?.end ?? '')).toBeGreaterThan(fiveYearsAgo);
    }
    expect(new Set(claims.map((claim) => claim.id)).size).toBe(20);
    for (const id of BULK_MATCHED) expect(claims.filter((claim) => claim.patient.reference === `Patient/${id}`)).toHaveLength(10);
  });

  it("and the manifest's Patient file, with the same token, holds the two matched members", async () => {
    const manifest = JSON.parse(outputOf('curl -s "$EXPORT_STATUS"')) as Manifest;
    const file = required(manifest.output.find((entry) => entry.type === 'Patient'), 'the Patient file');
    const response = await fetch(file.url, { headers: { Authorization: `Bearer ${payerToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/fhir+ndjson');
    const patients = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as Patient);
    expect(patients.map((patient) => patient.id).sort()).toEqual([...BULK_MATCHED].sort());
  });

  it('with the same token, every member not linked does not exist: 404 reads, searches that find the linked members alone', async () => {
    const fhir = `${fhirUrl}${FHIR_BASE_PATH}`;
    const unlinked = PAYER_MATCH_MEMBERS.map((member) => member.patientId).filter((id) => !LINKED.includes(id));
    expect(unlinked).toHaveLength(4);
    for (const id of unlinked) expect((await getJson(`${fhir}/Patient/${id}`, payerToken)).status).toBe(404);
    expect((await getJson(`${fhir}/Patient/-20140000000024`, payerToken)).status).toBe(404);
    const patients = await getJson<Bundle>(`${fhir}/Patient`, payerToken);
    expect(patients.status).toBe(200);
    expect((patients.body.entry ?? []).map((entry) => entry.resource?.id).sort()).toEqual([...LINKED].sort());
    const claims = await getJson<Bundle>(`${fhir}/ExplanationOfBenefit?patient=${PAYER_MATCH_MEMBERS[1].patientId}`, payerToken);
    expect(claims.body.total).toBe(0);
  });

  it('leaves the near misses and the ended consent unlinked: the payer reaches Rosa Delgado and the two matched in bulk', async () => {
    const tokenCommand = required(ran.find((entry) => entry.command.startsWith('TOKEN=')), 'the token command');
    expect(tokenCommand.output).toBe('');
    const client = new Client({ connectionString: required(sandbox, 'the sandbox').databaseUrl });
    await client.connect();
    try {
      const links = await client.query<{ patient_id: string }>(`SELECT patient_id FROM fhir.payer_link WHERE client_id = 'SbxDemoPayer00000001'`);
      expect(links.rows.map((row) => row.patient_id).sort()).toEqual([...LINKED].sort());
    } finally {
      await client.end();
    }
  });
});

