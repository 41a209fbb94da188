import { DataSource } from 'typeorm';
import { startTestService, type TestService } from './support/test-service';

describe('authorization service', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('answers its health probes with its database and client projection checked', async () => {
    const live = await fetch(`${service.url}/health/live`);
    expect(await live.json()).toEqual({ status: 'ok', service: 'authorization' });
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', service: 'authorization', checks: { database: 'up', clients: 'up' } });
  });

  it('created its tables in its own schema through migrations', async () => {
    const rows: { table_name: string }[] = await service.app
      .get(DataSource)
      .query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'authorization' ORDER BY table_name`);
    expect(rows.map((row) => row.table_name)).toEqual([
      'audit_event',
      'database_profile',
      'login_throttle',
      'member_account',
      'member_grant',
      'migrations',
      'oauth_client',
      'oidc_payload',
      'outbox',
      'signing_key',
    ]);
  });

  it('seeds the four sandbox members with argon2id passwords, linked to their Patients', async () => {
    const rows: { username: string; patient_id: string; password_hash: string }[] = await service.app
      .get(DataSource)
      .query(`SELECT username, patient_id, password_hash FROM member_account ORDER BY username`);
    expect(rows.map(({ username, patient_id }) => [username, patient_id])).toEqual([
      ['BCNCUser03', '-20140000000024'],
      ['BCNCUser04', '-20140000008325'],
      ['BCNCUser05', '-19990000000001'],
      ['BCNCUser06', '-20140000000031'],
    ]);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('serves Swagger UI and the OpenAPI document with its routes and examples', async () => {
    const ui = await fetch(`${service.url}/docs`);
    expect(ui.headers.get('content-type')).toMatch(/html/);
    const body = (await (await fetch(`${service.url}/docs-json`)).json()) as { info: { title: string }; paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> } };
    expect(body.info.title).toBe('payer-access Authorization Server');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/health', '/health/live', '/health/ready', '/connect/userinfo', '/.well-known/smart-configuration']));
    expect(body.components.schemas.UserinfoDto.properties.patient.example).toBe('-20140000008325');
  });
});
