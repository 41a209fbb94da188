import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, RequestBodyObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

/*
 * A Postman collection (v2.1) generated from the services' OpenAPI documents, with the sandbox's
 * values as collection variables, so that a developer imports one file and follows seed 002 in
 * Postman. Generated here rather than by a converter library: the output must be byte-stable for
 * the check that keeps the committed file current, and the sandbox values are substituted into
 * the examples by meaning (the demo client's id becomes {{clientId}}, and so on).
 */

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

export interface PostmanSource {
  /** Folder name: the service. */
  name: string;
  document: OpenAPIObject;
  /** Collection variable holding the service's base URL, e.g. `authorizationUrl`. */
  baseUrlVariable: string;
  /** Collection variable holding the bearer token this service's secured routes take. */
  bearerVariable: string;
  /** Whether every operation takes the bearer token, whatever the document declares (FHIR). */
  bearerByDefault?: (path: string) => boolean;
}

export interface PostmanVariable {
  key: string;
  value: string;
  description: string;
  /** Example values in the documents that mean this variable: replaced by `{{key}}`. */
  replaces?: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type PostmanItem = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const MAX_DEPTH = 6;

export function buildPostmanCollection(info: { name: string; description: string }, sources: readonly PostmanSource[], variables: readonly PostmanVariable[]): Record<string, unknown> {
  const substitute = substitution(variables);
  return {
    info: { name: info.name, description: info.description, schema: POSTMAN_SCHEMA },
    variable: variables.map(({ key, value, description }) => ({ key, value, type: 'string', description })),
    item: sources.map((source) => ({
      name: source.name,
      description: source.document.info.description,
      item: groupByTag(source, substitute),
    })),
  };
}

function groupByTag(source: PostmanSource, substitute: (value: Json) => Json): PostmanItem[] {
  const folders = new Map<string, PostmanItem[]>();
  for (const [path, pathItem] of Object.entries(source.document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method] as OperationObject | undefined;
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'other';
      const items = folders.get(tag) ?? [];
      items.push(...requestItems(source, path, method, operation, substitute));
      folders.set(tag, items);
    }
  }
  return [...folders].map(([name, item]) => ({ name, item }));
}

/** One request per request-body example (the token endpoint: one per grant), else one. */
function requestItems(source: PostmanSource, path: string, method: string, operation: OperationObject, substitute: (value: Json) => Json): PostmanItem[] {
  const document = source.document;
  const body = operation.requestBody ? (resolve(document, operation.requestBody) as RequestBodyObject) : undefined;
  const [mediaType, media] = Object.entries(body?.content ?? {})[0] ?? [];
  const bodies: [string | undefined, Json | undefined][] = media?.examples
    ? Object.entries(media.examples).map(([name, example]) => [name, (resolve(document, example) as { value: Json }).value])
    : [[undefined, media ? ((media.example as Json | undefined) ?? exampleOf(document, media.schema, 0)) : undefined]];
  const title = operation.summary ?? `${method.toUpperCase()} ${path}`;
  return bodies.map(([exampleName, example]) => {
    const request: Record<string, unknown> = {
      method: method.toUpperCase(),
      header: mediaType ? [{ key: 'Content-Type', value: mediaType }] : [],
      url: url(source, path, operation, substitute),
      auth: auth(source, path, operation),
    };
    if (operation.description) request.description = operation.description;
    if (mediaType && example !== undefined) request.body = requestBody(mediaType, substitute(example));
    const item: PostmanItem = { name: exampleName ? `${title} (${exampleName})` : title, request, response: responses(source, operation, exampleName, substitute) };
    const capture = captureTokens(source, operation);
    if (capture) item.event = [{ listen: 'test', script: { type: 'text/javascript', exec: capture } }];
    return item;
  });
}

function url(source: PostmanSource, path: string, operation: OperationObject, substitute: (value: Json) => Json): Record<string, unknown> {
  const parameters = (operation.parameters ?? []).map((parameter) => resolve(source.document, parameter) as ParameterObject);
  const value = (parameter: ParameterObject): string => {
    const example = parameter.example ?? (parameter.schema ? exampleOf(source.document, parameter.schema, 0) : undefined) ?? '';
    return String(substitute(example as Json));
  };
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(.+)\}$/, ':$1'));
  const query = parameters
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) => ({ key: parameter.name, value: value(parameter), ...(parameter.description ? { description: parameter.description } : {}), ...(parameter.required ? {} : { disabled: true }) }));
  const variable = parameters.filter((parameter) => parameter.in === 'path').map((parameter) => ({ key: parameter.name, value: value(parameter) }));
  const enabled = query.filter((each) => !('disabled' in each));
  const raw = `{{${source.baseUrlVariable}}}/${segments.join('/')}${enabled.length ? `?${enabled.map((each) => `${each.key}=${each.value}`).join('&')}` : ''}`;
  return { raw, host: [`{{${source.baseUrlVariable}}}`], path: segments, ...(query.length ? { query } : {}), ...(variable.length ? { variable } : {}) };
}

function auth(source: PostmanSource, path: string, operation: OperationObject): Record<string, unknown> {
  const schemes = source.document.components?.securitySchemes ?? {};
  const required = (operation.security ?? source.document.security ?? []).flatMap((requirement) => Object.keys(requirement));
  const bearer = required.some((name) => (resolve(source.document, schemes[name]) as { scheme?: string } | undefined)?.scheme === 'bearer');
  if (bearer || source.bearerByDefault?.(path)) return { type: 'bearer', bearer: [{ key: 'token', value: `{{${source.bearerVariable}}}`, type: 'string' }] };
  // Client credentials travel in the form bodies of the examples (client_secret_post).
  return { type: 'noauth' };
}

function requestBody(mediaType: string, example: Json): Record<string, unknown> {
  if (mediaType === 'application/x-www-form-urlencoded' && example && typeof example === 'object' && !Array.isArray(example)) {
    return { mode: 'urlencoded', urlencoded: Object.entries(example).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value), type: 'text' })) };
  }
  return { mode: 'raw', raw: typeof example === 'string' ? example : JSON.stringify(example, null, 2), options: { raw: { language: 'json' } } };
}

function responses(source: PostmanSource, operation: OperationObject, requestExample: string | undefined, substitute: (value: Json) => Json): PostmanItem[] {
  const saved: PostmanItem[] = [];
  for (const [status, declared] of Object.entries(operation.responses ?? {})) {
    const response = resolve(source.document, declared) as ResponseObject;
    const [mediaType, media] = Object.entries(response.content ?? {})[0] ?? [];
    if (!mediaType || !media) continue;
    let examples: [string, Json][] = media.examples
      ? Object.entries(media.examples).map(([name, example]) => [name, (resolve(source.document, example) as { value: Json }).value])
      : [[response.description, (media.example as Json | undefined) ?? exampleOf(source.document, media.schema, 0) ?? null]];
    // The token endpoint answers each grant its own way: keep the answer of this request's grant.
    if (requestExample && media.examples && requestExample in media.examples) examples = examples.filter(([name]) => name === requestExample);
    for (const [name, example] of examples) {
      const code = Number(status);
      saved.push({
        name: `${status} ${name}`.trim(),
        status: response.description,
        code: Number.isInteger(code) ? code : 200,
        header: [{ key: 'Content-Type', value: mediaType }],
        body: typeof example === 'string' ? example : JSON.stringify(substitute(example), null, 2),
      });
    }
  }
  return saved;
}

/** After a request that returns tokens, keep them in the collection variables for the next ones. */
function captureTokens(source: PostmanSource, operation: OperationObject): string[] | undefined {
  const ok = operation.responses?.['200'] ? (resolve(source.document, operation.responses['200']) as ResponseObject) : undefined;
  const media = Object.values(ok?.content ?? {})[0];
  const schema = media?.schema ? (resolve(source.document, media.schema) as SchemaObject) : undefined;
  if (!schema?.properties || !('access_token' in schema.properties)) return undefined;
  const lines = ['const body = pm.response.code === 200 ? pm.response.json() : {};'];
  lines.push(`if (body.access_token) pm.collectionVariables.set('${source.bearerVariable}', body.access_token);`);
  if ('refresh_token' in schema.properties) lines.push("if (body.refresh_token) pm.collectionVariables.set('refreshToken', body.refresh_token);");
  if ('patient' in schema.properties) lines.push("if (body.patient) pm.collectionVariables.set('patientId', body.patient);");
  return lines;
}

/** An example built from a schema's own examples, defaults or first enum value. */
export function exampleOf(document: OpenAPIObject, declared: SchemaObject | ReferenceObject | undefined, depth: number): Json | undefined {
  if (!declared || depth > MAX_DEPTH) return undefined;
  const schema = resolve(document, declared) as SchemaObject;
  if (schema.example !== undefined) return schema.example as Json;
  if (schema.default !== undefined) return schema.default as Json;
  if (schema.enum?.length) return schema.enum[0] as Json;
  const variant = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (variant) return exampleOf(document, variant, depth + 1);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => exampleOf(document, part, depth + 1) ?? {})) as Json;
  if (schema.type === 'array') {
    const item = exampleOf(document, schema.items, depth + 1);
    return item === undefined ? [] : [item];
  }
  if (schema.properties) {
    const entries = Object.entries(schema.properties)
      .map(([name, property]) => [name, exampleOf(document, property, depth + 1)] as const)
      .filter(([, value]) => value !== undefined);
    return Object.fromEntries(entries) as Json;
  }
  return undefined;
}

function resolve<T>(document: OpenAPIObject, value: T | ReferenceObject): T {
  let current: unknown = value;
  for (let hops = 0; hops < 10 && current && typeof current === 'object' && '$ref' in current; hops++) {
    const pointer = String((current as ReferenceObject).$ref).replace(/^#\//, '').split('/');
    current = pointer.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
  }
  return current as T;
}

function substitution(variables: readonly PostmanVariable[]): (value: Json) => Json {
  const replacements = variables.flatMap(({ key, replaces }) => (replaces ?? []).map((text) => [text, `{{${key}}}`] as const));
  const replaceText = (text: string): string => replacements.reduce((result, [from, to]) => result.split(from).join(to), text);
  const walk = (value: Json): Json => {
    if (typeof value === 'string') return replaceText(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };
  return walk;
}
