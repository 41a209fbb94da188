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
    expect(await ready.json()).toEqual({ status: 'ok', service: 'authorization', checks: { database: 'up', clients: 'up', 'client-status-freshness': 'up' } });
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

  it('describes every protocol route oidc-provider serves, at the published paths, with request and response examples', async () => {
    type Media = { example?: unknown; examples?: Record<string, { value: unknown }> };
    type Operation = { requestBody?: { content: Record<string, Media> }; responses: Record<string, { content?: Record<string, Media> }> };
    const body = (await (await fetch(`${service.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { discriminator?: { mapping: Record<string, string> } }> };
    };
    const discovery = (await (await fetch(`${service.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const published = ['authorization_endpoint', 'token_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'jwks_uri'].map(
      (field) => new URL(String(discovery[field])).pathname,
    );
    const providerPaths = [...published, '/.well-known/openid-configuration'];
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining([...providerPaths, new URL(String(discovery.userinfo_endpoint)).pathname, '/.well-known/smart-configuration']));

    const withoutExample = (media: Record<string, Media> | undefined) => Object.entries(media ?? {}).filter(([, each]) => each.example === undefined && !each.examples);
    for (const path of providerPaths) {
      for (const [method, operation] of Object.entries(body.paths[path])) {
        expect({ path, method, request: withoutExample(operation.requestBody?.content) }).toEqual({ path, method, request: [] });
        expect(Object.keys(operation.responses).some((status) => status.startsWith('2') || status.startsWith('3'))).toBe(true);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect({ path, method, status, response: withoutExample(response.content) }).toEqual({ path, method, status, response: [] });
        }
      }
    }

    const token = body.paths[new URL(String(discovery.token_endpoint)).pathname].post;
    const grants = [...(discovery.grant_types_supported as string[])].sort();
    expect(Object.keys(body.components.schemas.TokenRequest.discriminator?.mapping ?? {}).sort()).toEqual(grants);
    const grantExamples = Object.values(token.requestBody?.content['application/x-www-form-urlencoded'].examples ?? {}).map((example) => (example.value as { grant_type: string }).grant_type);
    expect([...new Set(grantExamples)].sort()).toEqual(grants);

    // The discovery example names the endpoints where the server really serves them.
    const example = body.paths['/.well-known/openid-configuration'].get.responses['200'].content?.['application/json'].example as Record<string, unknown>;
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      expect({ field, value: example[field] }).toEqual({ field, value: discovery[field] });
    }
  });
});
