import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { createTestDatabase, ensureKafka, kafkaServiceEnv, type TestDatabase } from '@payer-access/testing';
import * as argon2 from 'argon2';
import { CookieJar, request, runJourney } from './support/member-journey';
import { authorizeUrl, startTestService, tokenRequest, type TestService } from './support/test-service';

jest.setTimeout(180_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const BASE_PATH = '/fhir/sb/R4/patientaccess';
const MEMBER_03_PATIENT = '-20140000000024';

/**
 * The connected-apps page shows who read the member's data: the authorization service asks the
 * FHIR service's AuditEvent search (the FHIR service as a process of its own, on the same Kafka
 * broker and trusting this authorization service's tokens), never the FHIR tables.
 */
describe('connected apps: who read my data', () => {
  let service: TestService;
  let fhirDatabase: TestDatabase;
  let fhir: ChildProcess | undefined;
  let fhirUrl: string;
  let output = '';
  const clientId = `history-app-${randomUUID().slice(0, 8)}`;
  const secret = `secret-${randomUUID()}`;
  const redirectUri = 'https://oidcdebugger.com/debug';
  const reader = `audit-reader-${randomUUID()}-${randomUUID()}`;

  beforeAll(async () => {
    const { brokers, credentials } = await ensureKafka();
    const fhirPort = await freePort();
    fhirUrl = `http://127.0.0.1:${fhirPort}`;
    service = await startTestService({ FHIR_PUBLIC_URL: fhirUrl, FHIR_AUDIT_READER_TOKEN: reader }, { kafkaBrokers: brokers, kafkaCredentials: credentials });
    await service.publishClient(clientId, {
      status: 'approved',
      client: { name: 'History App', clientType: 'confidential', redirectUris: [redirectUri], secretHash: await argon2.hash(secret, { type: argon2.argon2id }), allowedScopes: [], system: false },
    });
    fhirDatabase = await createTestDatabase();
    fhir = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/fhir/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TS_NODE_PROJECT: 'apps/fhir/tsconfig.json',
        PROFILE: 'sandbox',
        DATABASE_URL: fhirDatabase.url,
        KAFKA_BROKERS: brokers.join(','),
        ...kafkaServiceEnv(credentials.fhir),
        FHIR_PORT: String(fhirPort),
        FHIR_HOST: '127.0.0.1',
        FHIR_PUBLIC_URL: fhirUrl,
        FHIR_BASE_PATH: BASE_PATH,
        FHIR_LOAD_SANDBOX_DATA: 'false',
        AUTHORIZATION_PUBLIC_URL: service.url,
        AUDIT_READER_TOKEN_SHA256: createHash('sha256').update(reader).digest('hex'),
        MIGRATE_ON_START: 'true',
        LOG_LEVEL: 'warn',
        // Registration does not run here: no heartbeat vouches for the client statuses.
        CLIENT_STATUS_MAX_STALENESS_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    fhir.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    fhir.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });

  afterAll(async () => {
    fhir?.kill('SIGTERM');
    await new Promise((resolve) => (fhir && fhir.exitCode === null ? fhir.once('exit', resolve) : resolve(undefined)));
    await service?.close();
    await fhirDatabase?.drop();
  });

  async function connectedAppsPage(username: string, password: string): Promise<string> {
    const jar = new CookieJar();
    const login = await request(jar, `${service.url}/account/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    });
    expect(login.status).toBe(303);
    const page = await request(jar, `${service.url}/account/apps`);
    expect(page.status).toBe(200);
    return page.text();
  }

  it("lists the app that read the member's data, how often and when, and nothing for another member", async () => {
    const { redirect } = await runJourney(service.url, authorizeUrl(service.url, { client_id: clientId, redirect_uri: redirectUri }));
    const issued = await tokenRequest(service.url, { grant_type: 'authorization_code', code: redirect?.searchParams.get('code') ?? '', redirect_uri: redirectUri, client_id: clientId, client_secret: secret });
    expect(issued.status).toBe(200);
    expect(issued.body.patient).toBe(MEMBER_03_PATIENT);
    const read = () => fetch(`${fhirUrl}${BASE_PATH}/Patient?_id=${MEMBER_03_PATIENT}`, { headers: { authorization: `Bearer ${String(issued.body.access_token)}` } });

    // The FHIR service answers once it has read the client's approval from the topic.
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (fhir?.exitCode !== null) throw new Error(`the fhir service exited:\n${output}`);
      const status = await read().then((response) => response.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`the fhir service never answered 200 (last ${status}):\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200);

    const page = await connectedAppsPage('BCNCUser03', 'BCNCPSWD03');
    const history = page.slice(page.indexOf('Who read your data'));
    expect(history).toContain('<strong>History App</strong>');
    expect(history).toContain('3 requests');
    expect(history).toContain(`${new Date().toISOString().slice(0, 10)} `);

    const other = await connectedAppsPage('BCNCUser04', 'BCNCPSWD04');
    expect(other).toContain('No app has read your data yet.');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
