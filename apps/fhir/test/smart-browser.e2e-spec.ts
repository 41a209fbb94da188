import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Bundle, CapabilityStatement } from '@medplum/fhirtypes';
import { SANDBOX_MEMBERS } from '@payer-access/fhir-models';
import { buildSmartConfiguration } from '@payer-access/scopes';
import { sandboxDataSet } from '@payer-access/synthetic-data';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { NdjsonLoader } from '../src/loader/ndjson-loader';
import { BASE_PATH, startFhirTestApp, type FhirTestApp } from './support/test-app';

const SEED_CLIENT = 'JVjR77J3j4BaRVqoDtLx';
const PATIENT = SANDBOX_MEMBERS[0].patientId;
const HOSTILE_HOST = 'attacker.example';

/**
 * What a browser SMART app on its own origin needs from the FHIR base before and after it holds a
 * token: SMART discovery without a token, CORS for bearer-token reads, and URLs that name the
 * configured public base whatever Host the request claims. That the discovery document equals the
 * authorization service's own is shown in apps/authorization/test/smart-browser.e2e-spec.ts.
 */
describe('fhir service for browser SMART apps', () => {
  let fhir: FhirTestApp;
  let app: INestApplication;
  let token: string;

  beforeAll(async () => {
    fhir = await startFhirTestApp();
    app = fhir.app;
    const report = await app.get(NdjsonLoader).load(sandboxDataSet());
    expect(report.rejected).toBe(0);
    await fhir.setClientStatus(SEED_CLIENT, 'approved');
    token = await fhir.issuer.token({ patient: PATIENT, fhirUser: `Patient/${PATIENT}` });
  });

  afterAll(async () => {
    await fhir?.close();
  });

  describe('SMART discovery at the FHIR base', () => {
    it('answers without a token, with the authorization server of the configuration', async () => {
      const response = await request(app.getHttpServer()).get(`${BASE_PATH}/.well-known/smart-configuration`).expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const issuer = fhir.issuer.issuer;
      expect(response.body).toMatchObject({
        issuer,
        authorization_endpoint: `${issuer}/fhirmember/sps/oauth/oauth20/authorize`,
        token_endpoint: `${issuer}/fhirmember/sps/oauth/oauth20/token`,
        revocation_endpoint: `${issuer}/fhirmember/sps/oauth/oauth20/revoke`,
        introspection_endpoint: `${issuer}/fhirmember/sps/oauth/oauth20/introspect`,
        jwks_uri: `${issuer}/jwks`,
        code_challenge_methods_supported: ['S256'],
      });
      expect(response.body.capabilities).toEqual(expect.arrayContaining(['launch-standalone', 'client-public', 'permission-v2', 'sso-openid-connect']));
    });

    it('is described in the OpenAPI document with its shape and an example', async () => {
      const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as {
        paths: Record<string, { get?: { responses: Record<string, { content: Record<string, { schema: { required: string[]; example: Record<string, unknown> } }> }> } }>;
      };
      const operation = document.paths[`${BASE_PATH}/.well-known/smart-configuration`]?.get;
      const schema = operation?.responses['200'].content['application/json'].schema;
      expect(schema?.required).toEqual(expect.arrayContaining(['issuer', 'authorization_endpoint', 'token_endpoint', 'capabilities', 'scopes_supported']));
      expect(schema?.example).toMatchObject({ code_challenge_methods_supported: ['S256'] });
    });

    it('is the shared document for the configured authorization server, byte for byte', async () => {
      // The authorization service serves the same function's output for the same settings at its issuer.
      const expected = buildSmartConfiguration({ issuer: fhir.issuer.issuer, authorizePath: '/fhirmember/sps/oauth/oauth20/authorize', tokenPath: '/fhirmember/sps/oauth/oauth20/token' });
      const response = await request(app.getHttpServer()).get(`${BASE_PATH}/.well-known/smart-configuration`).set('Host', HOSTILE_HOST).expect(200);
      expect(response.text).toBe(JSON.stringify(expected));
    });
  });

  describe('CORS', () => {
    const origin = 'https://app.example';

    it.each([
      ['a read', `Patient/${PATIENT}`],
      ['a search', `ExplanationOfBenefit?patient=${PATIENT}&type=carrier`],
      ['UserInfo', 'UserInfo'],
      ['the CapabilityStatement', 'metadata'],
      ['SMART discovery', '.well-known/smart-configuration'],
    ])('answers the preflight of %s with the Authorization header', async (_name, path) => {
      const response = await request(app.getHttpServer())
        .options(`${BASE_PATH}/${path}`)
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization,content-type')
        .expect(204);
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers['access-control-allow-methods']).toContain('GET');
      expect(response.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
      expect(response.headers['access-control-allow-headers']?.toLowerCase()).toContain('content-type');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('answers the preflight of /v1/connect/userinfo too', async () => {
      const response = await request(app.getHttpServer())
        .options('/v1/connect/userinfo')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization')
        .expect(204);
      expect(response.headers['access-control-allow-origin']).toBe('*');
    });

    it('lets any origin read responses, errors included, and exposes ETag, Location and Content-Location', async () => {
      const read = await request(app.getHttpServer()).get(`${BASE_PATH}/Patient/${PATIENT}`).set('Origin', origin).set('Authorization', `Bearer ${token}`).expect(200);
      expect(read.headers['access-control-allow-origin']).toBe('*');
      expect(read.headers['access-control-allow-credentials']).toBeUndefined();
      const exposed = (read.headers['access-control-expose-headers'] ?? '').toLowerCase().split(/\s*,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['location', 'etag', 'content-location']));
      expect(read.headers.etag).toBeDefined();

      const refused = await request(app.getHttpServer()).get(`${BASE_PATH}/Patient/${PATIENT}`).set('Origin', origin).expect(401);
      expect(refused.headers['access-control-allow-origin']).toBe('*');
      expect(refused.body.resourceType).toBe('OperationOutcome');
    });

    it('adds nothing to requests that are not cross-origin', async () => {
      const response = await request(app.getHttpServer()).get(`${BASE_PATH}/metadata`).expect(200);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('in headless Chromium, from a page on another origin', () => {
    let browser: Browser;
    let page: Server;
    let pageOrigin: string;
    let fhirOrigin: string;

    beforeAll(async () => {
      await app.listen(0, '127.0.0.1');
      fhirOrigin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      page = createServer((_request, response) => {
        response.setHeader('content-type', 'text/html');
        response.end('<!doctype html><title>app</title>');
      });
      await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
      // "localhost" is another origin than "127.0.0.1" for the browser, with the same server behind it.
      pageOrigin = `http://localhost:${(page.address() as AddressInfo).port}`;
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => page?.close(resolve));
    });

    it('discovers the authorization server and reads with a bearer token, headers included', async () => {
      const tab = await browser.newPage();
      await tab.goto(`${pageOrigin}/`);
      const outcome = await tab.evaluate(
        async ({ base, bearer, patient }) => {
          const discovery = await fetch(`${base}/.well-known/smart-configuration`);
          const read = await fetch(`${base}/Patient/${patient}`, { headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/fhir+json' } });
          const search = await fetch(`${base}/Coverage?beneficiary=${patient}`, { headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/fhir+json' } });
          // no-store: the browser would otherwise answer from the read it just cached.
          const refused = await fetch(`${base}/Patient/${patient}`, { headers: { Authorization: 'Bearer not-a-token' }, cache: 'no-store' });
          return {
            discovery: { status: discovery.status, body: (await discovery.json()) as { token_endpoint: string } },
            read: { status: read.status, etag: read.headers.get('ETag'), id: ((await read.json()) as { id: string }).id },
            search: { status: search.status, type: ((await search.json()) as { type: string }).type },
            refused: { status: refused.status, body: (await refused.json()) as { resourceType: string } },
          };
        },
        { base: `${fhirOrigin}${BASE_PATH}`, bearer: token, patient: PATIENT },
      );
      expect(outcome.discovery.status).toBe(200);
      expect(outcome.discovery.body.token_endpoint).toContain('/fhirmember/sps/oauth/oauth20/token');
      expect(outcome.read).toEqual({ status: 200, etag: expect.stringMatching(/^W\/"/), id: PATIENT });
      expect(outcome.search).toEqual({ status: 200, type: 'searchset' });
      expect(outcome.refused.status).toBe(401);
      expect(outcome.refused.body.resourceType).toBe('OperationOutcome');
      await tab.close();
    });
  });

  describe('published URLs come from the configuration, not from the request', () => {
    const configuredBase = 'http://localhost:3003/fhir/sb/R4/patientaccess';

    function hostile(path: string) {
      return request(app.getHttpServer())
        .get(`${BASE_PATH}/${path}`)
        .set('Host', HOSTILE_HOST)
        .set('X-Forwarded-Host', HOSTILE_HOST)
        .set('X-Forwarded-Proto', 'https')
        .set('Authorization', `Bearer ${token}`);
    }

    it('in the CapabilityStatement', async () => {
      const response = await hostile('metadata').expect(200);
      const statement = response.body as CapabilityStatement;
      expect(response.text).not.toContain(HOSTILE_HOST);
      expect(statement.implementation?.url).toBe(configuredBase);
      const oauth = statement.rest?.[0].security?.extension?.[0].extension?.map((each) => each.valueUri);
      expect(oauth).toEqual([
        `${fhir.issuer.issuer}/fhirmember/sps/oauth/oauth20/authorize`,
        `${fhir.issuer.issuer}/fhirmember/sps/oauth/oauth20/token`,
        `${fhir.issuer.issuer}/fhirmember/sps/oauth/oauth20/revoke`,
        `${fhir.issuer.issuer}/fhirmember/sps/oauth/oauth20/introspect`,
      ]);
    });

    it('in Bundle links and full URLs', async () => {
      const response = await hostile(`ExplanationOfBenefit?patient=${PATIENT}`).expect(200);
      const bundle = response.body as Bundle;
      expect(response.text).not.toContain(HOSTILE_HOST);
      expect(bundle.link?.length).toBeGreaterThan(1);
      for (const link of bundle.link ?? []) expect(link.url.startsWith(`${configuredBase}/`)).toBe(true);
      for (const entry of bundle.entry ?? []) expect(entry.fullUrl?.startsWith(configuredBase)).toBe(true);
    });

    it('in SMART discovery', async () => {
      const response = await hostile('.well-known/smart-configuration').expect(200);
      expect(response.text).not.toContain(HOSTILE_HOST);
    });
  });
});
