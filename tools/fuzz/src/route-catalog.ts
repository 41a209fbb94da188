import type { ServiceName } from './local-platform';

export interface RouteParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  /** FHIR search parameter type or OpenAPI schema type: picks the hostile values that fit. */
  readonly type: string;
}

export interface Route {
  readonly service: ServiceName;
  readonly method: string;
  /** With `{name}` placeholders for path parameters. */
  readonly path: string;
  readonly parameters: readonly RouteParameter[];
  /** A well-formed body to start from (JSON, or a form for pages and OAuth endpoints). */
  readonly body?: { readonly type: 'json' | 'form'; readonly value: Record<string, unknown> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

interface Schema {
  $ref?: string;
  type?: string;
  example?: unknown;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of a service's OpenAPI document (GET /docs-json), with an example body built from its schema. */
export function routesFromOpenApi(service: ServiceName, document: OpenApiDocument): Route[] {
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!HTTP_METHODS.has(method)) continue;
      const parameters = (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'path' || parameter.in === 'query')
        .map((parameter) => ({ name: parameter.name, in: parameter.in as 'path' | 'query', type: parameter.schema?.type ?? 'string' }));
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const value = schema ? exampleOf(schema, document, 0) : undefined;
      routes.push({
        service,
        method: method.toUpperCase(),
        path,
        parameters,
        ...(value && typeof value === 'object' && !Array.isArray(value) ? { body: { type: 'json' as const, value: value as Record<string, unknown> } } : {}),
      });
    }
  }
  return routes;
}

function exampleOf(schema: Schema, document: OpenApiDocument, depth: number): unknown {
  if (depth > 6) return undefined;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = document.components?.schemas?.[name];
    return target ? exampleOf(target, document, depth + 1) : undefined;
  }
  if (schema.allOf?.length) return exampleOf(schema.allOf[0], document, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) result[key] = exampleOf(property, document, depth + 1);
      return result;
    }
    case 'array':
      return schema.items ? [exampleOf(schema.items, document, depth + 1)] : [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return schema.properties ? exampleOf({ ...schema, type: 'object' }, document, depth) : 'text';
  }
}

interface CapabilityStatement {
  rest?: Array<{ resource?: Array<{ type: string; searchParam?: Array<{ name: string; type: string }> }> }>;
}

/** The FHIR API's routes from its capability statement: every resource type's read and search, with each search parameter and its type. */
export function routesFromCapabilityStatement(basePath: string, statement: CapabilityStatement): Route[] {
  const routes: Route[] = [
    { service: 'fhir', method: 'GET', path: `${basePath}/metadata`, parameters: [{ name: '_format', in: 'query', type: 'string' }] },
    { service: 'fhir', method: 'GET', path: `${basePath}/UserInfo`, parameters: [] },
    { service: 'fhir', method: 'GET', path: '/v1/connect/userinfo', parameters: [] },
  ];
  const common = ['_id', '_lastUpdated', '_count', '_sort', '_include', '_revinclude', '_elements', '_summary', '_format', 'startIndex', '_total'];
  for (const resource of statement.rest?.[0]?.resource ?? []) {
    const searchParameters = (resource.searchParam ?? []).map((parameter) => ({ name: parameter.name, in: 'query' as const, type: parameter.type }));
    const known = new Set(searchParameters.map((parameter) => parameter.name));
    for (const name of common) if (!known.has(name)) searchParameters.push({ name, in: 'query', type: name === '_lastUpdated' ? 'date' : 'string' });
    routes.push({ service: 'fhir', method: 'GET', path: `${basePath}/${resource.type}`, parameters: searchParameters });
    routes.push({ service: 'fhir', method: 'GET', path: `${basePath}/${resource.type}/{id}`, parameters: [{ name: 'id', in: 'path', type: 'string' }, { name: '_format', in: 'query', type: 'string' }] });
  }
  return routes;
}

interface Discovery {
  authorization_endpoint?: string;
  token_endpoint?: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  jwks_uri?: string;
  userinfo_endpoint?: string;
}

/**
 * The authorization service's protocol endpoints (served by oidc-provider, named by its discovery
 * document) and member pages, which its OpenAPI document leaves out.
 */
export function authorizationRoutes(discovery: Discovery, clientId: string, redirectUri: string): Route[] {
  const path = (url: string | undefined, fallback: string) => (url ? new URL(url).pathname : fallback);
  const token = path(discovery.token_endpoint, '/token');
  const authorize = path(discovery.authorization_endpoint, '/authorize');
  const authorizeQuery = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'aud', 'code_challenge', 'code_challenge_method', 'prompt', 'nonce', 'launch', 'request', 'response_mode'];
  return [
    { service: 'authorization', method: 'GET', path: '/.well-known/openid-configuration', parameters: [] },
    { service: 'authorization', method: 'GET', path: '/.well-known/smart-configuration', parameters: [] },
    { service: 'authorization', method: 'GET', path: path(discovery.jwks_uri, '/jwks'), parameters: [] },
    { service: 'authorization', method: 'GET', path: authorize, parameters: authorizeQuery.map((name) => ({ name, in: 'query' as const, type: 'string' })) },
    {
      service: 'authorization',
      method: 'POST',
      path: authorize,
      parameters: [],
      body: { type: 'form', value: { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid patient/*.read', state: 'fuzz' } },
    },
    {
      service: 'authorization',
      method: 'POST',
      path: token,
      parameters: [],
      body: { type: 'form', value: { grant_type: 'authorization_code', code: 'abc', redirect_uri: redirectUri, client_id: clientId, code_verifier: 'a'.repeat(43) } },
    },
    { service: 'authorization', method: 'POST', path: token, parameters: [], body: { type: 'form', value: { grant_type: 'refresh_token', refresh_token: 'abc', client_id: clientId } } },
    { service: 'authorization', method: 'POST', path: token, parameters: [], body: { type: 'form', value: { grant_type: 'client_credentials', scope: 'system/*.read', client_id: clientId } } },
    { service: 'authorization', method: 'POST', path: path(discovery.revocation_endpoint, '/revoke'), parameters: [], body: { type: 'form', value: { token: 'abc', token_type_hint: 'refresh_token', client_id: clientId } } },
    { service: 'authorization', method: 'POST', path: path(discovery.introspection_endpoint, '/introspect'), parameters: [], body: { type: 'form', value: { token: 'abc', client_id: clientId } } },
    { service: 'authorization', method: 'GET', path: '/session/end', parameters: [{ name: 'id_token_hint', in: 'query', type: 'string' }, { name: 'post_logout_redirect_uri', in: 'query', type: 'string' }] },
    { service: 'authorization', method: 'GET', path: '/interaction/{uid}', parameters: [{ name: 'uid', in: 'path', type: 'string' }] },
    { service: 'authorization', method: 'POST', path: '/interaction/{uid}/disclaimer', parameters: [{ name: 'uid', in: 'path', type: 'string' }], body: { type: 'form', value: { acknowledge: 'yes' } } },
    { service: 'authorization', method: 'POST', path: '/interaction/{uid}/login', parameters: [{ name: 'uid', in: 'path', type: 'string' }], body: { type: 'form', value: { username: 'BCNCUser03', password: 'BCNCPSWD03' } } },
    {
      service: 'authorization',
      method: 'POST',
      path: '/interaction/{uid}/representative',
      parameters: [{ name: 'uid', in: 'path', type: 'string' }],
      body: { type: 'form', value: { actingAs: 'representative', relationship: 'parent', relationshipText: 'x', representativeName: 'Jo' } },
    },
    { service: 'authorization', method: 'POST', path: '/interaction/{uid}/consent', parameters: [{ name: 'uid', in: 'path', type: 'string' }], body: { type: 'form', value: { decision: 'agree', withholdDemographics: 'yes', withholdSensitive: 'yes' } } },
    { service: 'authorization', method: 'GET', path: '/account/apps', parameters: [{ name: 'revoked', in: 'query', type: 'string' }] },
    { service: 'authorization', method: 'POST', path: '/account/login', parameters: [], body: { type: 'form', value: { username: 'BCNCUser03', password: 'wrong-password' } } },
    { service: 'authorization', method: 'POST', path: '/account/logout', parameters: [] },
    { service: 'authorization', method: 'POST', path: '/account/apps/{grantId}/revoke', parameters: [{ name: 'grantId', in: 'path', type: 'string' }], body: { type: 'form', value: { csrf: 'x' } } },
  ];
}
