import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, metricValue, type TestDatabase } from '@payer-access/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';
import { serviceMetrics } from '@payer-access/http';

describe('registration service', () => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox' });
    app = await createRegistrationApp({ ...config, DATABASE_URL: database.url }, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('answers its health probes with its database checked', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok', service: 'registration' });
    await request(app.getHttpServer())
      .get('/health/ready')
      .expect(200, { status: 'ok', service: 'registration', checks: { database: 'up' } });
  });

  it('shows its own series on /metrics from the start, with their help text', async () => {
    const scrape = async () => (await request(serviceMetrics(app).handler()).get('/metrics').expect(200)).text;
    const text = await scrape();
    for (const name of ['registration_status_changes_total', 'outbox_pending_events', 'kafka_consumer_lag']) expect(text).toContain(`# HELP ${name} `);
    // The sandbox profile submits and approves its demo client and demo payer at start, through the same path as staff.
    expect(metricValue(text, 'registration_status_changes_total', { from: 'none', to: 'pending' })).toBe(2);
    expect(metricValue(text, 'registration_status_changes_total', { from: 'pending', to: 'approved' })).toBe(2);
    expect(metricValue(text, 'registration_status_changes_total', { from: 'suspended', to: 'terminated' })).toBe(0);
    const deadline = Date.now() + 5_000;
    while (metricValue(await scrape(), 'outbox_pending_events') !== 0) {
      if (Date.now() > deadline) throw new Error('the demo client was never published');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('created its own schema in the database', async () => {
    const { DataSource } = await import('typeorm');
    const dataSource = app.get(DataSource);
    const rows = await dataSource.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'registration'`);
    expect(rows).toEqual([{ schema_name: 'registration' }]);
  });

  it('serves Swagger UI and the OpenAPI document with every route', async () => {
    await request(app.getHttpServer()).get('/docs').expect(200).expect('content-type', /html/);
    const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(body.info.title).toBe('payer-access Registration API');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/health', '/health/live', '/health/ready']));
  });

  it('documents every public route with its request and response shapes', async () => {
    const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
    const routes = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/accounts',
        'POST /v1/auth/login',
        'POST /v1/applications',
        'POST /v1/payers',
        'GET /v1/registrations',
        'GET /v1/registrations/{id}',
        'PATCH /v1/registrations/{id}',
        'GET /v1/registrations/{id}/credentials',
        'POST /v1/registrations/{id}/credentials/rotate',
        'POST /v1/registrations/{id}/review-requests',
        'GET /v1/admin/registrations',
        'GET /v1/admin/registrations/{id}',
        'POST /v1/admin/registrations/{id}/approve',
        'POST /v1/admin/registrations/{id}/request-information',
        'POST /v1/admin/registrations/{id}/suspend',
        'POST /v1/admin/registrations/{id}/terminate',
        'POST /v1/admin/registrations/{id}/reinstate',
        'POST /v1/admin/registrations/{id}/approve-change',
        'POST /v1/admin/registrations/{id}/reject-change',
        'GET /v1/registrations/{id}/messages',
        'POST /v1/registrations/{id}/messages',
        'GET /v1/admin/registrations/{id}/messages',
        'POST /v1/admin/registrations/{id}/messages',
        'GET /v1/admin/registrations/export.csv',
      ]),
    );
    const schemas = body.components.schemas;
    expect(schemas.CreateApplicationDto.properties.redirectUris.example).toEqual(['https://acme-health.example/oauth/callback']);
    expect(schemas.CreateApplicationDto.required).toEqual(expect.arrayContaining(['name', 'redirectUris', 'clientType', 'attestations']));
    expect(schemas.ApplicationAttestationsDto.properties).toHaveProperty('adheresToCarinCodeOfConduct');
    expect(schemas.TokenResponseDto.properties.token_type.example).toBe('Bearer');
    const approve = body.paths['/v1/admin/registrations/{id}/approve'].post;
    expect(approve.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ReasonDto');
    expect(Object.keys(approve.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409']));
    expect(approve.security).toEqual([{ portal: [] }]);
    expect(body.components.securitySchemes.portal).toMatchObject({ type: 'http', scheme: 'bearer' });
    const approveChange = body.paths['/v1/admin/registrations/{id}/approve-change'].post;
    expect(approveChange.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ChangeDecisionDto');
    expect(schemas.ChangeDecisionDto.required).toEqual(expect.arrayContaining(['reason', 'changeId']));
    expect(schemas.RegistrationDto.properties.pendingChange.allOf).toEqual([{ $ref: '#/components/schemas/PendingChangeDto' }]);
    expect(schemas.PendingChangeDto.properties.values.example).toHaveProperty('redirectUris');
    const reply = body.paths['/v1/registrations/{id}/messages'].post;
    expect(reply.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateMessageDto');
    expect(schemas.CreateMessageDto.properties.body.example).toEqual(expect.any(String));
    expect(Object.keys(reply.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '429']));
    expect(body.paths['/v1/admin/registrations/{id}/messages'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/MessagePageDto');
    const csv = body.paths['/v1/admin/registrations/export.csv'].get.responses['200'].content['text/csv'];
    expect(csv.example).toMatch(/^id,kind,status,name/);
    expect(body.paths['/v1/admin/registrations'].get.responses['200'].headers).toHaveProperty('X-Total-Count');
  });

  it('matches the committed OpenAPI contract (UPDATE_OPENAPI=1 rewrites it)', async () => {
    const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
    const file = path.join(__dirname, '../openapi.json');
    const current = `${JSON.stringify(body, null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(file, current);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(body);
  });
});
