import { startSampleSmartApp, type RunningSampleSmartApp } from './sample-app.server';

describe('the sample SMART app server', () => {
  let app: RunningSampleSmartApp;

  beforeAll(async () => {
    app = await startSampleSmartApp({
      port: 0,
      host: '127.0.0.1',
      fhirBaseUrl: 'http://127.0.0.1:3003/fhir/sb/R4/patientaccess',
      authorizationUrl: 'http://127.0.0.1:3002',
      clientId: 'sample-smart-app',
    });
  });

  afterAll(() => app.close());

  it('tells the page where to launch and as which client', async () => {
    const response = await fetch(`${app.url}/config.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      iss: 'http://127.0.0.1:3003/fhir/sb/R4/patientaccess',
      clientId: 'sample-smart-app',
      scope: 'openid fhirUser launch/patient offline_access patient/*.read',
    });
  });

  it('serves SMART’s client library itself, and lets the page call only the platform', async () => {
    const response = await fetch(`${app.url}/fhir-client.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toContain('oauth2');
    const page = await fetch(`${app.url}/`);
    expect(await page.text()).toContain('<script src="fhir-client.js"></script>');
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'self'; connect-src 'self' http://127.0.0.1:3003 http://127.0.0.1:3002; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  });

  it.each([
    ['/app.html', 200],
    ['/app.js', 200],
    ['/../package.json', 404],
    ['/%2e%2e/package.json', 404],
    ['/sample-app.server.ts', 404],
    ['/index.html%00', 404],
  ])('GET %s answers %i', async (path, status) => {
    const response = await fetch(`${app.url}${path}`);
    await response.arrayBuffer();
    expect(response.status).toBe(status);
  });

  it('answers 405 to anything but reads', async () => {
    const response = await fetch(`${app.url}/config.json`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
