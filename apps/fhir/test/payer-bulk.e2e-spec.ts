import type { INestApplication } from '@nestjs/common';
import type { Group, Resource } from '@medplum/fhirtypes';
import { fhirSchemaErrors } from '@payer-access/synthetic-data';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { BULK_FILE_STORE, type BulkFileStore } from '../src/payer/bulk/bulk-file.store';
import { BulkJobWorker, MAX_ATTEMPTS } from '../src/payer/bulk/bulk-job.worker';
import { ResourceRepository } from '../src/store/resource.repository';
import { APPLICATION, bulkRequest, consent, CONSTRAINED, MATCHED, memberBundle, NON_SENSITIVE_ONLY, OTHER_PAYER, PAYER, STORE, TWINS, UNKNOWN } from './support/bulk-fixtures';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

describe('Bulk Payer-to-Payer: $bulk-member-match and Group export', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  let dataSource: DataSource;
  let bulkDir: string;
  const tokens: Record<string, string> = {};
  const groups: Record<string, Group> = {};
  const http = () => app.getHttpAdapter().getInstance() as RequestListener;
  const path = (url: string) => url.slice(url.indexOf(BASE_PATH));
  const get = (url: string, token = tokens.payer) => request(http()).get(url.startsWith('http') ? path(url) : `${BASE_PATH}/${url}`).set('Authorization', `Bearer ${token}`);
  const kickOff = (url: string, token = tokens.payer) => get(url, token).set('Prefer', 'respond-async');

  async function untilDone(statusUrl: string, token = tokens.payer): Promise<request.Response> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await get(statusUrl, token);
      if (response.status !== 202) return response;
      expect(response.headers['retry-after']).toBe('2');
      expect(response.headers['x-progress']).toEqual(expect.any(String));
      if (Date.now() > deadline) throw new Error(`job at ${statusUrl} not done in time`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function exportOf(groupId: string, query = '', operation = '$davinci-data-export') {
    const response = await kickOff(`Group/${groupId}/${operation}${query}`);
    expect(response.status).toBe(202);
    const statusUrl = response.headers['content-location'];
    const done = await untilDone(statusUrl);
    expect(done.status).toBe(200);
    return { statusUrl, manifest: done.body as { transactionTime: string; request: string; requiresAccessToken: boolean; output: { type: string; url: string; count: number }[]; error: unknown[] } };
  }

  async function download(url: string, token = tokens.payer): Promise<Resource[]> {
    const response = await get(url, token).buffer(true).parse((res, callback) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => callback(null, text));
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/fhir+ndjson');
    const lines = (response.body as string).split('\n');
    expect(lines.pop()).toBe('');
    return lines.map((line) => JSON.parse(line) as Resource);
  }

  const ownerOf = (resource: Resource) =>
    resource.resourceType === 'Patient' ? resource.id : ((resource as { patient?: { reference?: string }; subject?: { reference?: string }; beneficiary?: { reference?: string } }).patient ?? (resource as { subject?: { reference?: string } }).subject ?? (resource as { beneficiary?: { reference?: string } }).beneficiary)?.reference?.replace('Patient/', '');

  beforeAll(async () => {
    bulkDir = mkdtempSync(join(tmpdir(), 'payer-bulk-'));
    fhir = await startFhirTestApp({ FHIR_BULK_DIR: bulkDir, FHIR_BULK_LEASE_SECONDS: '2' });
    app = fhir.app;
    dataSource = app.get(DataSource);
    await app.get(ResourceRepository).write(STORE);
    await fhir.setClientStatus(PAYER, 'approved', 'payer');
    await fhir.setClientStatus(OTHER_PAYER, 'approved', 'payer');
    await fhir.setClientStatus(APPLICATION, 'approved');
    tokens.payer = await fhir.issuer.token({ client_id: PAYER, sub: PAYER, scope: 'system/*.rs' });
    tokens.otherPayer = await fhir.issuer.token({ client_id: OTHER_PAYER, sub: OTHER_PAYER, scope: 'system/*.rs' });
    tokens.member = await fhir.issuer.token({ client_id: APPLICATION, patient: 'bk-0', scope: 'patient/*.rs' });
  });

  afterAll(async () => {
    await fhir?.close();
    rmSync(bulkDir, { recursive: true, force: true });
  });

  it('the CapabilityStatement lists the bulk operations by their canonicals', async () => {
    const response = await request(http()).get(`${BASE_PATH}/metadata`);
    const group = response.body.rest[0].resource.find((entry: { type: string }) => entry.type === 'Group');
    expect(group.operation).toEqual([
      { name: 'bulk-member-match', definition: 'http://hl7.org/fhir/us/davinci-pdex/OperationDefinition/BulkMemberMatch' },
      { name: 'davinci-data-export', definition: 'http://hl7.org/fhir/us/davinci-pdex/OperationDefinition/GroupExport' },
      { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' },
    ]);
    const openApi = await request(http()).get('/docs-json');
    const paths = Object.keys(openApi.body.paths ?? {});
    for (const route of ['/Group/{operation}', '/Group/{id}/{operation}', '/bulk-status/{jobId}', '/bulk-files/{jobId}/{file}']) expect(paths.some((entry) => entry.endsWith(route))).toBe(true);
  });

  it('a bulk match of 100 members answers 202, then the three Groups with the right members, and links the matched ones', async () => {
    const kick = await request(http())
      .post(`${BASE_PATH}/Group/$bulk-member-match`)
      .set('Authorization', `Bearer ${tokens.payer}`)
      .set('Prefer', 'respond-async')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(bulkRequest()));
    expect(kick.status).toBe(202);
    expect(kick.headers['content-location']).toMatch(/\/bulk-status\/[0-9a-f-]{36}$/);
    // Another payer does not see the job.
    expect((await get(kick.headers['content-location'], tokens.otherPayer)).status).toBe(404);
    const done = await untilDone(kick.headers['content-location']);
    expect(done.status).toBe(200);
    expect(fhirSchemaErrors(done.body)).toEqual([]);
    for (const part of done.body.parameter as { name: string; resource: Group }[]) groups[part.name] = part.resource;
    expect(Object.keys(groups).sort()).toEqual(['ConsentConstrainedMembers', 'MatchedMembers', 'NonMatchedMembers']);
    expect(groups.MatchedMembers.quantity).toBe(MATCHED);
    expect(groups.NonMatchedMembers.quantity).toBe(UNKNOWN + TWINS);
    expect(groups.ConsentConstrainedMembers.quantity).toBe(CONSTRAINED);
    expect((groups.MatchedMembers.member ?? []).map((member) => member.entity.reference).sort()).toEqual(Array.from({ length: MATCHED }, (_, index) => `Patient/bk-${index}`).sort());
    // Members not linked are only described as the payer sent them: none of our ids appears.
    for (const name of ['NonMatchedMembers', 'ConsentConstrainedMembers']) {
      expect(JSON.stringify(groups[name])).not.toMatch(/Patient\/bk-/);
      expect(groups[name].contained).toHaveLength(groups[name].quantity as number);
    }
    const links = (await dataSource.query('SELECT patient_id, consent_policy FROM payer_link WHERE client_id = $1', [PAYER])) as { patient_id: string; consent_policy: string }[];
    expect(links).toHaveLength(MATCHED);
    expect(links.filter((link) => link.consent_policy === 'non-sensitive')).toHaveLength(NON_SENSITIVE_ONLY);
    const audited = (await dataSource.query(`SELECT status, count(*)::int AS n FROM access_audit WHERE client_id = $1 AND interaction = 'bulk-member-match' GROUP BY status ORDER BY status`, [PAYER])) as { status: number; n: number }[];
    expect(audited).toEqual([{ status: 200, n: MATCHED }, { status: 202, n: 1 }, { status: 422, n: 100 - MATCHED }]);
  });

  it('the result Groups are the payer\'s: readable with its token, not found for another payer, refused to a member\'s app', async () => {
    const read = await get(`Group/${groups.MatchedMembers.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(groups.MatchedMembers);
    expect((await get(`Group/${groups.MatchedMembers.id}`, tokens.otherPayer)).status).toBe(404);
    expect((await get(`Group/${groups.MatchedMembers.id}`, tokens.member)).status).toBe(403);
  });

  it('an export of the matched group writes NDJSON of valid R4 resources of matched members only, as the compartment allows', async () => {
    const { manifest } = await exportOf(groups.MatchedMembers.id as string);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.request).toContain(`/Group/${groups.MatchedMembers.id}/$davinci-data-export`);
    expect(manifest.error).toEqual([]);
    const byType = Object.fromEntries(manifest.output.map((entry) => [entry.type, entry]));
    expect(Object.keys(byType).sort()).toEqual(['Coverage', 'ExplanationOfBenefit', 'Observation', 'Patient']);
    const matched = new Set(Array.from({ length: MATCHED }, (_, index) => `bk-${index}`));
    const seen: Resource[] = [];
    for (const entry of manifest.output) {
      const resources = await download(entry.url);
      expect(resources).toHaveLength(entry.count);
      for (const resource of resources) {
        expect(resource.resourceType).toBe(entry.type);
        expect(fhirSchemaErrors(resource)).toEqual([]);
        expect(matched.has(ownerOf(resource) as string)).toBe(true);
      }
      seen.push(...resources);
    }
    expect(byType.Patient.count).toBe(MATCHED);
    expect(byType.Coverage.count).toBe(MATCHED);
    // Two recent claims each; the one older than five years stays behind.
    expect(byType.ExplanationOfBenefit.count).toBe(2 * MATCHED);
    expect(seen.some((resource) => resource.id?.endsWith('-ancient'))).toBe(false);
    // Sensitive results only of members who consented to them.
    expect(byType.Observation.count).toBe(MATCHED - NON_SENSITIVE_ONLY);
    expect(seen.filter((resource) => resource.resourceType === 'Observation').map((resource) => ownerOf(resource)).some((owner) => Number((owner as string).slice(3)) >= MATCHED - NON_SENSITIVE_ONLY)).toBe(false);
  });

  it('honours _type and _since, and answers the standard $export alike', async () => {
    const patients = await exportOf(groups.MatchedMembers.id as string, '?_type=Patient&_outputFormat=application%2Ffhir%2Bndjson');
    expect(patients.manifest.output.map((entry) => [entry.type, entry.count])).toEqual([['Patient', MATCHED]]);
    const since = await exportOf(groups.MatchedMembers.id as string, '?_type=ExplanationOfBenefit&_since=2024-01-01T00:00:00Z&_outputFormat=ndjson', '$export');
    expect(since.manifest.output.map((entry) => [entry.type, entry.count])).toEqual([['ExplanationOfBenefit', MATCHED]]);
    const lines = await download(since.manifest.output[0].url);
    expect(lines.every((resource) => resource.id?.endsWith('-recent'))).toBe(true);
    // The groups of members not linked export nothing.
    const nothing = await exportOf(groups.ConsentConstrainedMembers.id as string);
    expect(nothing.manifest.output).toEqual([]);
  });

  it('files are served to the payer that asked only: another payer and a member\'s app get 404', async () => {
    const { manifest, statusUrl } = await exportOf(groups.MatchedMembers.id as string, '?_type=Patient');
    const url = manifest.output[0].url;
    expect((await get(url, tokens.otherPayer)).status).toBe(404);
    expect((await get(url, tokens.member)).status).toBe(404);
    expect((await get(statusUrl, tokens.member)).status).toBe(404);
    expect((await request(http()).get(path(url))).status).toBe(401);
    expect((await get(url.replace('Patient.ndjson', '..%2F..%2Fetc.ndjson'))).status).toBe(404);
  });

  it.each([
    ['no Prefer: respond-async', (id: string) => get(`Group/${id}/$davinci-data-export`), 400],
    ['an unsupported _outputFormat', (id: string) => kickOff(`Group/${id}/$export?_outputFormat=text/csv`), 400],
    ['an unsupported parameter', (id: string) => kickOff(`Group/${id}/$export?_elements=id`), 400],
    ['a repeated parameter', (id: string) => kickOff(`Group/${id}/$export?_type=Patient&_type=Coverage`), 400],
    ['a type outside the compartment', (id: string) => kickOff(`Group/${id}/$export?_type=Organization`), 400],
    ['a malformed _since', (id: string) => kickOff(`Group/${id}/$export?_since=yesterday`), 400],
    ['an unknown operation', (id: string) => kickOff(`Group/${id}/$everything`), 400],
    ['an unknown group', () => kickOff('Group/0b7c1a52-5d1e-4b8e-9a53-1f0c2d6e8a10/$export'), 404],
    ['a group id that is no id', () => kickOff('Group/not-a-group/$export'), 404],
    ["another payer's group", (id: string) => kickOff(`Group/${id}/$export`, tokens.otherPayer), 404],
    ["a member's token", (id: string) => kickOff(`Group/${id}/$export`, tokens.member), 403],
    ["another payer's job id", () => get('bulk-status/4f6a2c1e-8b3d-4e5f-a6b7-c8d9e0f1a2b3'), 404],
    ['a job id that is no id', () => get("bulk-status/'; DROP TABLE bulk_job; --"), 404],
  ])('an export kick-off or status with %s is a 4xx OperationOutcome', async (_case, send, status) => {
    const response = await send(groups.MatchedMembers.id as string);
    expect(response.status).toBe(status);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });

  it.each([
    ['no Prefer: respond-async', JSON.stringify(bulkRequest()), false, tokens, 400],
    ['not JSON', '{"resourceType":', true, tokens, 400],
    ['no MemberBundle', JSON.stringify({ resourceType: 'Parameters', parameter: [] }), true, tokens, 400],
    ['a MemberBundle without Consent', JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'MemberBundle', part: memberBundle('A', '1950-01-01', 'X', consent()).part.slice(0, 2) }] }), true, tokens, 400],
    ['a part of the wrong type', JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'MemberBundle', part: 'MemberPatient' }] }), true, tokens, 400],
    ['a numeric birthDate', JSON.stringify({ resourceType: 'Parameters', parameter: [memberBundle('A', 19500101 as unknown as string, 'X', consent())] }), true, tokens, 400],
    ['a NUL character', JSON.stringify({ resourceType: 'Parameters', parameter: [memberBundle('A\u0000', '1950-01-01', 'X', consent())] }), true, tokens, 400],
    ['a body over the limit', JSON.stringify({ resourceType: 'Parameters', parameter: [], padding: 'x'.repeat(5 * 1024 * 1024) }), true, tokens, 413],
  ])('a $bulk-member-match with %s is a 4xx OperationOutcome', async (_case, body, async, _tokens, status) => {
    let call = request(http()).post(`${BASE_PATH}/Group/$bulk-member-match`).set('Authorization', `Bearer ${tokens.payer}`).set('Content-Type', 'application/fhir+json');
    if (async) call = call.set('Prefer', 'respond-async');
    const response = await call.send(body);
    expect(response.status).toBe(status);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });

  it('names the limit of the route that refused an oversized body', async () => {
    const oversized = (bytes: number) => JSON.stringify({ resourceType: 'Parameters', parameter: [], padding: 'x'.repeat(bytes) });
    const bulk = await request(http())
      .post(`${BASE_PATH}/Group/$bulk-member-match`)
      .set('Authorization', `Bearer ${tokens.payer}`)
      .set('Prefer', 'respond-async')
      .set('Content-Type', 'application/fhir+json')
      .send(oversized(5 * 1024 * 1024));
    expect(bulk.status).toBe(413);
    expect(bulk.body.issue[0].diagnostics).toBe(`The request body is larger than ${4 * 1024 * 1024} bytes`);
    const single = await request(http())
      .post(`${BASE_PATH}/Patient/$member-match`)
      .set('Authorization', `Bearer ${tokens.payer}`)
      .set('Content-Type', 'application/fhir+json')
      .send(oversized(200 * 1024));
    expect(single.status).toBe(413);
    expect(single.body.issue[0].diagnostics).toBe(`The request body is larger than ${100 * 1024} bytes`);
  });

  it("a member's app may not start a bulk match", async () => {
    const response = await request(http())
      .post(`${BASE_PATH}/Group/$bulk-member-match`)
      .set('Authorization', `Bearer ${tokens.member}`)
      .set('Prefer', 'respond-async')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(bulkRequest()));
    expect(response.status).toBe(403);
  });

  it('DELETE on the status URL cancels the export and deletes its files; a second DELETE is 404', async () => {
    const { manifest, statusUrl } = await exportOf(groups.MatchedMembers.id as string, '?_type=Patient');
    const jobId = statusUrl.split('/').pop() as string;
    expect(existsSync(join(bulkDir, jobId))).toBe(true);
    expect((await request(http()).delete(path(statusUrl)).set('Authorization', `Bearer ${tokens.otherPayer}`)).status).toBe(404);
    const cancel = await request(http()).delete(path(statusUrl)).set('Authorization', `Bearer ${tokens.payer}`);
    expect(cancel.status).toBe(202);
    expect(existsSync(join(bulkDir, jobId))).toBe(false);
    expect((await get(statusUrl)).status).toBe(404);
    expect((await get(manifest.output[0].url)).status).toBe(404);
    expect((await request(http()).delete(path(statusUrl)).set('Authorization', `Bearer ${tokens.payer}`)).status).toBe(404);
    // A file a worker was still writing when the cancel came is swept away too.
    mkdirSync(join(bulkDir, jobId, 'a1'), { recursive: true });
    writeFileSync(join(bulkDir, jobId, 'a1', 'Patient.ndjson'), '{"resourceType":"Patient"}\n');
    await app.get(BulkJobWorker).sweep();
    expect(existsSync(join(bulkDir, jobId))).toBe(false);
  });

  it('the sweep deletes the files of an ended job once, not at every sweep', async () => {
    const { statusUrl } = await exportOf(groups.MatchedMembers.id as string, '?_type=Patient');
    const jobId = statusUrl.split('/').pop() as string;
    expect((await request(http()).delete(path(statusUrl)).set('Authorization', `Bearer ${tokens.payer}`)).status).toBe(202);
    const removeJob = jest.spyOn(app.get<BulkFileStore>(BULK_FILE_STORE), 'removeJob');
    try {
      const worker = app.get(BulkJobWorker);
      await worker.sweep();
      await worker.sweep();
      await worker.sweep();
      expect(removeJob.mock.calls.filter(([id]) => id === jobId)).toHaveLength(1);
      const [{ files_swept_at: sweptAt }] = await dataSource.query(`SELECT files_swept_at FROM bulk_job WHERE id = $1`, [jobId]);
      expect(sweptAt).toBeInstanceOf(Date);
    } finally {
      removeJob.mockRestore();
    }
  });

  it('files expire: the sweep deletes them and the status URL and file URLs answer 404', async () => {
    const { manifest, statusUrl } = await exportOf(groups.MatchedMembers.id as string, '?_type=Patient');
    const jobId = statusUrl.split('/').pop() as string;
    await dataSource.query(`UPDATE bulk_job SET expires_at = now() - interval '1 second' WHERE id = $1`, [jobId]);
    expect((await get(manifest.output[0].url)).status).toBe(404);
    expect(await app.get(BulkJobWorker).sweep()).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(bulkDir, jobId))).toBe(false);
    expect((await get(statusUrl)).status).toBe(404);
    // Expired once, deleted once.
    const removeJob = jest.spyOn(app.get<BulkFileStore>(BULK_FILE_STORE), 'removeJob');
    try {
      expect(await app.get(BulkJobWorker).sweep()).toBe(0);
      expect(removeJob.mock.calls.filter(([id]) => id === jobId)).toEqual([]);
    } finally {
      removeJob.mockRestore();
    }
  });

  it('a job whose worker died mid-export is taken over: the partial file is never served, and the new attempt completes', async () => {
    const worker = app.get(BulkJobWorker);
    // A job as a crashed instance leaves it: running, its lease run out, a partial file on disk.
    const jobId = '11111111-2222-4333-8444-555555555555';
    await dataSource.query(
      `INSERT INTO bulk_job (id, client_id, kind, status, request_url, input, attempts, lease_owner, lease_expires_at, progress)
       VALUES ($1, $2, 'export', 'running', 'http://localhost/x', $3, 1, 'crashed-instance', now() + interval '1 hour', 'exported 10 resources')`,
      [jobId, PAYER, JSON.stringify({ groupId: groups.MatchedMembers.id, memberIds: Array.from({ length: MATCHED }, (_, index) => `bk-${index}`), types: ['ExplanationOfBenefit'] })],
    );
    mkdirSync(join(bulkDir, jobId, 'a1'), { recursive: true });
    writeFileSync(join(bulkDir, jobId, 'a1', 'ExplanationOfBenefit.ndjson'), '{"resourceType":"ExplanationOfBenefit","id":"partial"}\n{"resourceType":"Expl');
    const running = await get(`bulk-status/${jobId}`);
    expect(running.status).toBe(202);
    expect((await get(`bulk-files/${jobId}/ExplanationOfBenefit.ndjson`)).status).toBe(404);
    // While its lease holds, no worker takes it.
    expect(await worker.runOne()).toBe(false);
    await dataSource.query(`UPDATE bulk_job SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [jobId]);
    const done = await untilDone(`bulk-status/${jobId}`);
    expect(done.status).toBe(200);
    expect(done.body.output).toEqual([{ type: 'ExplanationOfBenefit', url: expect.stringContaining(`/bulk-files/${jobId}/ExplanationOfBenefit.ndjson`), count: 2 * MATCHED }]);
    const lines = await download(done.body.output[0].url);
    expect(lines).toHaveLength(2 * MATCHED);
    expect(lines.some((resource) => resource.id === 'partial')).toBe(false);
    expect(existsSync(join(bulkDir, jobId, 'a1'))).toBe(false);
    const [{ attempts }] = (await dataSource.query('SELECT attempts FROM bulk_job WHERE id = $1', [jobId])) as { attempts: number }[];
    expect(attempts).toBe(2);
  });

  it(`a job that keeps dying is failed cleanly after ${MAX_ATTEMPTS} attempts, its files deleted`, async () => {
    const jobId = '21111111-2222-4333-8444-555555555555';
    await dataSource.query(
      `INSERT INTO bulk_job (id, client_id, kind, status, request_url, input, attempts, lease_owner, lease_expires_at)
       VALUES ($1, $2, 'export', 'running', 'http://localhost/x', $3, $4, 'crashed-instance', now() - interval '1 second')`,
      [jobId, PAYER, JSON.stringify({ groupId: groups.MatchedMembers.id, memberIds: ['bk-0'], types: ['Patient'] }), MAX_ATTEMPTS],
    );
    mkdirSync(join(bulkDir, jobId, `a${MAX_ATTEMPTS}`), { recursive: true });
    writeFileSync(join(bulkDir, jobId, `a${MAX_ATTEMPTS}`, 'Patient.ndjson'), '{"resourceType":"Pat');
    const failed = await untilDone(`bulk-status/${jobId}`);
    expect(failed.status).toBe(500);
    expect(failed.body.resourceType).toBe('OperationOutcome');
    expect(existsSync(join(bulkDir, jobId))).toBe(false);
    expect((await get(`bulk-files/${jobId}/Patient.ndjson`)).status).toBe(404);
  });
});
