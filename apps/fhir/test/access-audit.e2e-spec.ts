import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccessAuditService } from '../src/audit/access-audit.service';
import type { FhirPrincipal } from '../src/auth/fhir-principal';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import { BASE_PATH, type FhirTestApp, startFhirTestApp } from './support/test-app';

const SEED_CLIENT = 'JVjR77J3j4BaRVqoDtLx';
const OTHER_CLIENT = 'another-app';
const READER = 'audit-reader-credential-for-staff-tools-0123456789';
const [MEMBER_03, MEMBER_04] = SANDBOX_MEMBERS.map((member) => member.patientId);

describe('access audit: durable, hostile-row proof, refusals, staff AuditEvent search', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  let db: DataSource;
  const tokens: Record<string, string> = {};

  const get = (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(`${BASE_PATH}/${path}`);
    return token ? call.set('Authorization', `Bearer ${token}`) : call;
  };
  const auditSearch = (query: string, credential: string | null = READER) => get(`AuditEvent?${query}`, credential ?? undefined);

  beforeAll(async () => {
    fhir = await startFhirTestApp({ AUDIT_READER_TOKEN_SHA256: createHash('sha256').update(READER).digest('hex') });
    app = fhir.app;
    db = app.get(DataSource);
    expect((await app.get(NdjsonLoader).load(sandboxDataSet())).rejected).toBe(0);
    await fhir.setClientStatus(SEED_CLIENT, 'approved');
    await fhir.setClientStatus(OTHER_CLIENT, 'approved');
    tokens.member03 = await fhir.issuer.token({ patient: MEMBER_03, sub: 'member-3' });
    tokens.member04 = await fhir.issuer.token({ patient: MEMBER_04, sub: 'member-4' });
    tokens.other04 = await fhir.issuer.token({ patient: MEMBER_04, sub: 'member-4', client_id: OTHER_CLIENT, scope: 'patient/Coverage.read' });
  });

  afterAll(() => fhir?.close());

  beforeEach(async () => {
    await app.get(AccessAuditService).flush();
    await db.query('DELETE FROM access_audit');
  });

  it('has the row of every answered read stored before the answer arrives', async () => {
    const responses = await Promise.all(Array.from({ length: 40 }, (_, index) => get(`Patient?_id=durable-${index}`, tokens.member03)));
    expect(responses.map((response) => response.status)).toEqual(Array(40).fill(200));
    // No flush: whatever was answered is already in PostgreSQL.
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM access_audit WHERE query LIKE '_id=durable-%' AND status = 200`);
    expect(n).toBe(40);
  });

  it('answers 503, and releases no data, when the access cannot be recorded', async () => {
    const audit = app.get(AccessAuditService);
    const record = jest.spyOn(audit, 'record').mockRejectedValue(new Error('the audit table is gone'));
    try {
      for (const path of [`Patient/${MEMBER_03}`, `Patient?_id=${MEMBER_03}`, 'UserInfo']) {
        const response = await get(path, tokens.member03);
        expect([path, response.status]).toEqual([path, 503]);
        expect(response.body).toEqual({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'transient', details: { text: 'The access could not be recorded; try again later' }, diagnostics: 'The access could not be recorded; try again later' }],
        });
      }
      expect(record).toHaveBeenCalled();
    } finally {
      record.mockRestore();
    }
  });

  it('stores a hostile row (NUL, lone surrogate, megabytes) and never loses the rows committed with it', async () => {
    const audit = app.get(AccessAuditService);
    const principal: FhirPrincipal = {
      kind: 'member',
      clientId: SEED_CLIENT,
      subject: 'member-3',
      patientId: MEMBER_03,
      scopes: [],
      scope: 'patient/*.read',
      withholdDemographics: false,
      withholdSensitive: false,
      expiresAt: new Date(Date.now() + 60_000),
    };
    const normal = Array.from({ length: 20 }, (_, index) => audit.record(principal, { interaction: 'read', resourceType: 'Patient', resourceId: `normal-${index}`, status: 200 }));
    const hostile = audit.record(principal, { interaction: 'read', resourceType: 'Patient', resourceId: 'bad\0id\uD800', query: 'x'.repeat(1_000_000), status: 404 });
    // A value PostgreSQL refuses whatever is done to strings: only its own row is lost.
    const unstorable = audit.record(principal, { interaction: 'read', resourceType: 'Patient', resourceId: 'too-big-status', status: 2 ** 40 });
    await expect(Promise.all([...normal, hostile])).resolves.toBeDefined();
    await expect(unstorable).rejects.toThrow();
    const rows: { resource_id: string; query_length: number | null }[] = await db.query(`SELECT resource_id, length(query) AS query_length FROM access_audit ORDER BY id`);
    expect(rows.filter((row) => row.resource_id.startsWith('normal-'))).toHaveLength(20);
    expect(rows.find((row) => row.resource_id.startsWith('bad'))).toEqual({ resource_id: 'bad\uFFFDid\uFFFD', query_length: 2048 });
    expect(rows.some((row) => row.resource_id === 'too-big-status')).toBe(false);

    // Over HTTP: a NUL in a read's id is refused (400) and audited, next to reads answered at once.
    const responses = await Promise.all([get('Patient/%00evil', tokens.member03), ...Array.from({ length: 10 }, () => get(`Patient/${MEMBER_03}`, tokens.member03))]);
    expect(responses.map((response) => response.status)).toEqual([400, ...Array(10).fill(200)]);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM access_audit WHERE resource_id = $1 AND status = 200`, [MEMBER_03]);
    expect(n).toBe(10);
  });

  it('records refusals with the client and the reason where known', async () => {
    await get(`Patient/${MEMBER_03}`).expect(401);
    await get('Coverage?beneficiary=x', 'not-a-jwt').expect(401);
    await get(`Patient/${MEMBER_04}`, tokens.other04).expect(403);
    await fhir.setClientStatus(OTHER_CLIENT, 'suspended');
    await get('Coverage', tokens.other04).expect(401);
    await fhir.setClientStatus(OTHER_CLIENT, 'approved');
    const rows = await db.query(`SELECT client_id, patient_id, interaction, resource_type, status, reason FROM access_audit ORDER BY id`);
    expect(rows).toEqual([
      { client_id: null, patient_id: null, interaction: 'read', resource_type: 'Patient', status: 401, reason: expect.stringContaining('access token is required') },
      { client_id: null, patient_id: null, interaction: 'search', resource_type: 'Coverage', status: 401, reason: expect.stringContaining('Invalid access token') },
      { client_id: OTHER_CLIENT, patient_id: MEMBER_04, interaction: 'read', resource_type: 'Patient', status: 403, reason: expect.stringContaining('do not allow read on Patient') },
      { client_id: OTHER_CLIENT, patient_id: MEMBER_04, interaction: 'search', resource_type: 'Coverage', status: 401, reason: 'Invalid access token: the client is not approved' },
    ]);
  });

  it('lets staff search it as AuditEvent by patient, agent and date, and only with the reader credential', async () => {
    await get(`Patient/${MEMBER_04}`, tokens.member04).expect(200);
    await get('Coverage', tokens.other04).expect(200);
    await get(`Patient/${MEMBER_03}`, tokens.member03).expect(200);
    const today = new Date().toISOString().slice(0, 10);

    const response = await auditSearch(`patient=Patient/${MEMBER_04}&date=ge${today}&date=lt2999-01-01`).expect(200);
    expect(response.headers['content-type']).toContain('application/fhir+json');
    const bundle = response.body as Bundle<AuditEvent>;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    const events = (bundle.entry ?? []).map((entry) => entry.resource as AuditEvent);
    // Newest first: the other app's Coverage search, then the seed client's read.
    expect(events.map((event) => event.agent?.[0]?.who?.identifier?.value)).toEqual([OTHER_CLIENT, SEED_CLIENT]);
    expect(events[1]).toMatchObject({
      resourceType: 'AuditEvent',
      action: 'R',
      outcome: '0',
      subtype: [{ code: 'read' }],
      entity: [{ what: { reference: `Patient/${MEMBER_04}` } }, { what: { reference: `Patient/${MEMBER_04}` } }],
    });

    const byAgent = (await auditSearch(`agent=${OTHER_CLIENT}`).expect(200)).body as Bundle;
    expect(byAgent.total).toBe(1);
    expect(((await auditSearch(`patient=${MEMBER_04}&date=lt2000-01-01`).expect(200)).body as Bundle).total).toBe(0);

    // Calendar edges, unknown parameters and wrong credentials are 4xx OperationOutcomes.
    for (const bad of ['date=2026-02-30', 'date=2026-13-01', 'date=ap2026', 'date=2026-12-01T25:00:00Z', 'patient=a&patient=b', 'name=x', '_count=-1', 'date=%00']) {
      const refused = await auditSearch(bad);
      expect([bad, refused.status]).toEqual([bad, 400]);
      expect(refused.body.resourceType).toBe('OperationOutcome');
    }
    await auditSearch(`patient=${MEMBER_04}`, null).expect(401);
    await auditSearch(`patient=${MEMBER_04}`, 'wrong-credential').expect(401);
    // A member's token does not open the audit.
    await auditSearch(`patient=${MEMBER_04}`, tokens.member04).expect(401);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM access_audit WHERE interaction = 'audit-search' AND status = 200`);
    expect(n).toBe(3);
  });
});
