import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { OIDC_OPENAPI_EXAMPLES } from '@payer-access/authorization-service';
import { SANDBOX_CLIENT } from '@payer-access/registration-service';
import { createTestDatabase, type TestDatabase } from '@payer-access/testing';
import { getJson } from '../../platform-e2e/test/support/http';
import { freePorts } from '../../platform-e2e/test/support/platform';
import { eventually, required } from '../../platform-e2e/test/support/poll';
import { buildPostmanCollection, POSTMAN_SCHEMA, type PostmanVariable } from '../src/postman-collection';
import { startSandbox, type RunningSandbox } from '../src/sandbox';
import { FHIR_BASE_PATH, sandboxEnv } from './support/sandbox';

jest.setTimeout(180_000);

const COLLECTION_FILE = path.resolve(__dirname, '../../../docs/postman/payer-access.postman_collection.json');
/** The URLs `npm start` publishes: the documents name them, whatever port this run listens on. */
const PUBLIC = { registration: 'http://localhost:3001', authorization: 'http://localhost:3002', fhir: 'http://localhost:3003' } as const;
const SEED_PATIENT = '-20140000000024';

const VARIABLES: PostmanVariable[] = [
  { key: 'registrationUrl', value: PUBLIC.registration, description: 'Registration service (npm start).', replaces: [PUBLIC.registration] },
  { key: 'authorizationUrl', value: PUBLIC.authorization, description: 'Authorization server, the OIDC issuer (npm start).', replaces: [PUBLIC.authorization] },
  { key: 'fhirUrl', value: PUBLIC.fhir, description: `FHIR service (npm start); the Patient Access base is {{fhirUrl}}${FHIR_BASE_PATH}.`, replaces: [PUBLIC.fhir] },
  { key: 'clientId', value: SANDBOX_CLIENT.clientId, description: 'The seed 002 demo client.', replaces: [SANDBOX_CLIENT.clientId] },
  { key: 'clientSecret', value: SANDBOX_CLIENT.clientSecret, description: 'Its secret (sandbox only).', replaces: [SANDBOX_CLIENT.clientSecret] },
  { key: 'redirectUri', value: SANDBOX_CLIENT.redirectUri, description: 'Its registered redirect URI.', replaces: [SANDBOX_CLIENT.redirectUri] },
  // The FHIR document's examples name another sandbox member: every request reads the one who authorized.
  { key: 'patientId', value: SEED_PATIENT, description: 'BCNCUser03’s Patient (148 claims); the token request sets it from `patient`.', replaces: [SEED_PATIENT, '-20140000008325'] },
  { key: 'code', value: '', description: 'The `code` the authorize request’s redirect carries (open it in a browser, log in as BCNCUser03 / BCNCPSWD03).', replaces: [OIDC_OPENAPI_EXAMPLES.code] },
  { key: 'accessToken', value: '', description: 'Set by the token request.', replaces: [OIDC_OPENAPI_EXAMPLES.accessToken] },
  { key: 'refreshToken', value: '', description: 'Set by the token request.', replaces: [OIDC_OPENAPI_EXAMPLES.refreshToken] },
  { key: 'portalToken', value: '', description: 'Set by the portal login (POST /v1/auth/login; then POST /v1/auth/second-factor for accounts with a second factor), e.g. as admin@sandbox.local / sandbox-admin with a code of its published TOTP secret SANDBOXADMINTOTPSECRETPUBLISHEDA.' },
];

/**
 * `docs/postman/payer-access.postman_collection.json` is generated from the three services' OpenAPI
 * documents, as `npm start` serves them. Like `apps/registration/openapi.json`, the committed file
 * must be current: UPDATE_POSTMAN=1 rewrites it.
 */
describe('the Postman collection of the three services', () => {
  let database: TestDatabase | undefined;
  let sandbox: RunningSandbox | undefined;
  let collection: Record<string, unknown>;
  let documents: Record<'registration' | 'authorization' | 'fhir', OpenAPIObject>;

  beforeAll(async () => {
    const [created, [registrationPort, authorizationPort, fhirPort]] = await Promise.all([createTestDatabase('pa_postman'), freePorts(3)]);
    database = created;
    sandbox = await startSandbox({
      env: {
        ...sandboxEnv(created.url, { registration: registrationPort, authorization: authorizationPort, fhir: fhirPort }),
        FHIR_LOAD_SANDBOX_DATA: 'false',
        REGISTRATION_PUBLIC_URL: PUBLIC.registration,
        AUTHORIZATION_PUBLIC_URL: PUBLIC.authorization,
        FHIR_PUBLIC_URL: PUBLIC.fhir,
      },
      logLevels: ['error'],
    });
    const urls = required(sandbox, 'the sandbox').urls;
    const docs = async (url: string) => (await eventually(async () => { const response = await getJson<OpenAPIObject>(`${url}/docs-json`); return response.status === 200 && response.body; }, { what: `${url}/docs-json`, timeoutMs: 60_000 })) as OpenAPIObject;
    documents = { registration: await docs(urls.registration), authorization: await docs(urls.authorization), fhir: await docs(urls.fhir) };
    collection = buildPostmanCollection(
      {
        name: 'payer-access',
        description:
          'The registration, authorization and FHIR services of payer-access, generated from their OpenAPI documents. The variables are the sandbox’s (`npm start`, seed 002). Authorize in a browser (the authorize request), paste the `code` into the authorization_code token request, which stores the tokens and the patient for the FHIR requests.',
      },
      [
        { name: 'registration', document: documents.registration, baseUrlVariable: 'registrationUrl', bearerVariable: 'portalToken' },
        { name: 'authorization', document: documents.authorization, baseUrlVariable: 'authorizationUrl', bearerVariable: 'accessToken' },
        {
          name: 'fhir',
          document: documents.fhir,
          baseUrlVariable: 'fhirUrl',
          bearerVariable: 'accessToken',
          // Every Patient Access route takes the member's token but discovery and the CapabilityStatement.
          bearerByDefault: (route) => (route.startsWith(FHIR_BASE_PATH) && !/\/(metadata|\.well-known\/.*)$/.test(route)) || route === '/v1/connect/userinfo',
        },
      ],
      VARIABLES,
    );
  });

  afterAll(async () => {
    await sandbox?.stop();
    await database?.drop();
  });

  it('has every route of the three documents, with the sandbox variables', () => {
    type Item = { name: string; item?: Item[]; request?: { method: string; url: { path: string[] } } };
    const requests = (items: Item[]): Item[] => items.flatMap((item) => (item.item ? requests(item.item) : [item]));
    const folders = collection.item as Item[];
    expect(folders.map((folder) => folder.name)).toEqual(['registration', 'authorization', 'fhir']);
    expect(collection.info).toMatchObject({ schema: POSTMAN_SCHEMA });
    for (const [index, name] of (['registration', 'authorization', 'fhir'] as const).entries()) {
      const inCollection = new Set(requests(folders[index].item ?? []).map((item) => `${item.request?.method} /${item.request?.url.path.join('/')}`));
      const inDocument = Object.entries(documents[name].paths).flatMap(([route, pathItem]) =>
        Object.keys(pathItem)
          .filter((method) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
          .map((method) => `${method.toUpperCase()} ${route.replace(/\{([^}]+)\}/g, ':$1')}`),
      );
      expect({ name, missing: inDocument.filter((route) => !inCollection.has(route)) }).toEqual({ name, missing: [] });
    }
    const text = JSON.stringify(collection);
    // The token request for each grant, with the demo client's variables rather than its values.
    for (const grant of ['authorization_code', 'refresh_token', 'client_credentials']) expect(text).toContain(`{"key":"grant_type","value":"${grant}","type":"text"}`);
    expect(text).toContain('{"key":"client_id","value":"{{clientId}}","type":"text"}');
    expect(text).toContain('{"key":"client_secret","value":"{{clientSecret}}","type":"text"}');
    expect(text).toContain('{"key":"redirect_uri","value":"{{redirectUri}}","type":"text"}');
    // Every request goes to a host variable, so another environment only changes the variables.
    expect(text).not.toContain('"raw":"http');
  });

  it('matches the committed collection (UPDATE_POSTMAN=1 rewrites it)', () => {
    const current = `${JSON.stringify(collection, null, 2)}\n`;
    if (process.env.UPDATE_POSTMAN === '1') writeFileSync(COLLECTION_FILE, current);
    expect(JSON.parse(readFileSync(COLLECTION_FILE, 'utf8'))).toEqual(collection);
  });
});
