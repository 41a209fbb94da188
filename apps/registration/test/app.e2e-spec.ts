import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@payer-access/config';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import request from 'supertest';
import { RegistrationConfig } from '../src/registration.config';
import { createRegistrationApp } from '../src/registration.service-app';

describe('registration service', () => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig(RegistrationConfig, { DATABASE_URL: database.url });
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
});
