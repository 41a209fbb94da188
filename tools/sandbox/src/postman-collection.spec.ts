import type { OpenAPIObject } from '@nestjs/swagger';
import { buildPostmanCollection, exampleOf } from './postman-collection';

const document = {
  openapi: '3.0.0',
  info: { title: 'test', version: '1', description: 'A test service' },
  components: {
    securitySchemes: { portal: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Login: { type: 'object', properties: { email: { type: 'string', example: 'admin@sandbox.local' }, nested: { $ref: '#/components/schemas/Nested' } } },
      Nested: { type: 'object', properties: { kind: { type: 'string', enum: ['developer', 'payer'] }, list: { type: 'array', items: { type: 'string', example: 'x' } } } },
      Tokens: { type: 'object', properties: { access_token: { type: 'string', example: 'abc' } } },
      Loop: { type: 'object', properties: { self: { $ref: '#/components/schemas/Loop' } } },
    },
  },
  paths: {
    '/v1/auth/login': {
      post: {
        tags: ['accounts'],
        summary: 'Log in',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Login' } } } },
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Tokens' } } } } },
      },
    },
    '/v1/things/{id}': {
      get: {
        tags: ['things'],
        security: [{ portal: [] }],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: 'JVjR77J3j4BaRVqoDtLx' },
          { name: 'q', in: 'query', required: false, schema: { type: 'string', example: 'all' } },
        ],
        responses: { '404': { description: 'Not found' } },
      },
    },
  },
} as unknown as OpenAPIObject;

describe('the Postman collection generator', () => {
  const collection = buildPostmanCollection({ name: 'n', description: 'd' }, [{ name: 'svc', document, baseUrlVariable: 'svcUrl', bearerVariable: 'token' }], [
    { key: 'clientId', value: 'JVjR77J3j4BaRVqoDtLx', description: 'the client', replaces: ['JVjR77J3j4BaRVqoDtLx'] },
  ]);
  const folders = (collection.item as { item: { name: string; item: Record<string, unknown>[] }[] }[])[0].item;

  it('builds examples from the schemas, through references, without looping on a recursive one', () => {
    expect(exampleOf(document, { $ref: '#/components/schemas/Login' }, 0)).toEqual({ email: 'admin@sandbox.local', nested: { kind: 'developer', list: ['x'] } });
    expect(exampleOf(document, { $ref: '#/components/schemas/Loop' }, 0)).toEqual({ self: { self: { self: { self: { self: { self: {} } } } } } });
  });

  it('groups requests by tag, takes the token where the document asks for one and keeps tokens a response returns', () => {
    expect(folders.map((folder) => folder.name)).toEqual(['accounts', 'things']);
    const [login] = folders[0].item as { request: { auth: unknown; body: { raw: string } }; event?: { script: { exec: string[] } }[] }[];
    expect(login.request.auth).toEqual({ type: 'noauth' });
    expect(JSON.parse(login.request.body.raw)).toEqual({ email: 'admin@sandbox.local', nested: { kind: 'developer', list: ['x'] } });
    expect(login.event?.[0].script.exec).toContain("if (body.access_token) pm.collectionVariables.set('token', body.access_token);");
  });

  it('names path parameters Postman’s way, disables optional query parameters and substitutes the variables', () => {
    const [thing] = folders[1].item as { request: { auth: unknown; url: Record<string, unknown> }; response: unknown[] }[];
    expect(thing.request.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] });
    expect(thing.request.url).toEqual({
      raw: '{{svcUrl}}/v1/things/:id',
      host: ['{{svcUrl}}'],
      path: ['v1', 'things', ':id'],
      query: [{ key: 'q', value: 'all', disabled: true }],
      variable: [{ key: 'id', value: '{{clientId}}' }],
    });
    // A response without a body has nothing to show as a saved example.
    expect(thing.response).toEqual([]);
  });
});
