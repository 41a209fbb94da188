import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCampaign } from './campaign';
import type { Route } from './route-catalog';

/** The campaign's own checks, against a server that fails the way a service must not. */
describe(runCampaign.name, () => {
  let server: Server;
  let url: string;
  const routes: Route[] = [
    { service: 'registration', method: 'POST', path: '/things', parameters: [], body: { type: 'json', value: { name: 'x', count: 1 } } },
    { service: 'registration', method: 'GET', path: '/things/{id}', parameters: [{ name: 'id', in: 'path', type: 'string' }, { name: 'q', in: 'query', type: 'string' }] },
  ];
  const context = { credentials: { registration: [], authorization: [], fhir: [] }, pathValues: {} };

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.method === 'POST') {
          response.statusCode = 500;
          response.end('{"message":"boom"}');
        } else if ((request.url ?? '').includes('%00')) {
          response.statusCode = 400;
          response.end('error: invalid byte sequence for encoding "UTF8": 0x00\n    at Parser.parseErrorMessage (/app/node_modules/pg-protocol/dist/parser.js:287:98)');
        } else {
          response.statusCode = 404;
          response.end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (seed: number) => runCampaign({ seed, count: 300, seconds: 30, concurrency: 2, urls: { registration: url, authorization: url, fhir: url }, routes, context });

  it('reports every server error and every leaked stack or database message, with the request that caused it', async () => {
    const report = await run(1);
    expect(report.sent).toBe(300);
    const problems = new Set(report.findings.map((finding) => finding.problem));
    expect(problems).toEqual(new Set(['answered 500', 'the answer holds stack trace', 'the answer holds source path', 'the answer holds database error']));
    const failure = report.findings.find((finding) => finding.problem === 'answered 500');
    expect(failure?.request).toMatchObject({ method: 'POST', path: expect.stringMatching(/^\/things/), service: 'registration' });
  });

  it('sends the same requests for the same seed', async () => {
    // Answers arrive in any order; what was sent as request n does not change.
    const paths = async (seed: number) => (await run(seed)).findings.map((finding) => `${finding.request.index} ${finding.request.method} ${finding.request.path}`).sort();
    expect(await paths(5)).toEqual(await paths(5));
    expect(await paths(5)).not.toEqual(await paths(6));
  });

  it('sends nowhere but 127.0.0.1', async () => {
    await expect(runCampaign({ seed: 1, count: 1, seconds: 1, concurrency: 1, urls: { registration: 'http://example.com', authorization: url, fhir: url }, routes, context })).rejects.toThrow(/127\.0\.0\.1 only/);
  });
});
