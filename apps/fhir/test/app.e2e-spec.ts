import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import request from 'supertest';
import { FhirConfig } from '../src/fhir.config';
import { createFhirApp } from '../src/fhir.service-app';

describe('fhir service', () => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig(FhirConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', CLIENT_STATUS_MAX_STALENESS_SECONDS: '0' });
    app = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('answers its health probes with its database and event consumers checked', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok', service: 'fhir' });
    // The consumers read the event log in the background after start: ready once they caught up.
    const deadline = Date.now() + 10_000;
    while ((await request(app.getHttpServer()).get('/health/ready')).status !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await request(app.getHttpServer())
      .get('/health/ready')
      .expect(200, { status: 'ok', service: 'fhir', checks: { database: 'up', 'client-status': 'up', 'grant-revocations': 'up', 'client-status-freshness': 'up' } });
  });

  it('created its own schema in the database', async () => {
    const { DataSource } = await import('typeorm');
    const dataSource = app.get(DataSource);
    const rows = await dataSource.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'fhir'`);
    expect(rows).toEqual([{ schema_name: 'fhir' }]);
  });

  it('serves Swagger UI and the OpenAPI document with every route', async () => {
    await request(app.getHttpServer()).get('/docs').expect(200).expect('content-type', /html/);
    const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(body.info.title).toBe('payer-access FHIR Patient Access API');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/health/live',
        '/health/ready',
        '/fhir/sb/R4/patientaccess/metadata',
        '/fhir/sb/R4/patientaccess/UserInfo',
        '/fhir/sb/R4/patientaccess/{resourceType}',
        '/fhir/sb/R4/patientaccess/{resourceType}/{id}',
        '/v1/connect/userinfo',
      ]),
    );
    const search = body.paths['/fhir/sb/R4/patientaccess/{resourceType}'].get;
    expect(search.responses['200'].content['application/json'].schema.example.resourceType).toBe('Bundle');
    expect(search.responses['400'].content['application/json'].schema.example.issue[0].diagnostics).toContain('not a valid value');
    expect(search.security).toEqual([{ bearer: [] }]);
  });
});
