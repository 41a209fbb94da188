import { AUTHORIZATION_HEADERS, CONTENT_ENCODINGS, CONTENT_TYPES, COOKIES, DATE_TEXT, JSON_VALUES, METHODS, ODD_PARAMETER_NAMES, URL_TEXT } from './hostile-values';
import type { ServiceName } from './local-platform';
import type { SeededRandom } from '@payer-access/synthetic-data';
import type { Route, RouteParameter } from './route-catalog';

export const MUTATION_KINDS = [
  'path-parameter',
  'query-value',
  'query-odd',
  'body-field',
  'body-shape',
  'body-encoding',
  'method',
  'credentials',
  'path-garbage',
] as const;

export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface FuzzRequest {
  readonly index: number;
  readonly service: ServiceName;
  readonly kind: MutationKind;
  readonly method: string;
  /** Path and query, already percent-encoded as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** What a legitimate caller of each service would hold, so that malformed input also reaches the code behind the guards. */
export interface FuzzContext {
  readonly credentials: Readonly<Record<ServiceName, readonly string[]>>;
  /** Real values for path parameters by name (`id`, `grantId`…), next to the hostile ones. */
  readonly pathValues: Readonly<Record<string, readonly string[]>>;
}

/**
 * Builds the campaign's requests from routes and a seeded generator: each takes one route and
 * breaks one thing about it (a parameter, a field, the body's shape or encoding, the method, the
 * credentials). The same seed gives the same requests.
 */
export class RequestGenerator {
  constructor(
    private readonly prng: SeededRandom,
    private readonly routes: readonly Route[],
    private readonly context: FuzzContext,
  ) {
    if (routes.length === 0) throw new Error('no routes to fuzz');
  }

  next(index: number): FuzzRequest {
    const { prng } = this;
    const route = prng.pick(this.routes);
    const kind = this.kindFor(route);
    const headers: Record<string, string> = {};
    const credentials = this.context.credentials[route.service];
    if (credentials.length > 0 && prng.chance(0.7)) headers.authorization = prng.pick(credentials);
    let method = route.method;
    let pathParameters = this.pathParameters(route, false);
    let query = this.validQuery(route);
    let body: Buffer | undefined;
    let fields = route.body ? structuredClone(route.body.value) : undefined;

    switch (kind) {
      case 'path-parameter':
        pathParameters = this.pathParameters(route, true);
        break;
      case 'query-value': {
        const parameter = prng.pick(route.parameters.filter((each) => each.in === 'query'));
        query = [...query, `${encodeURIComponent(parameter.name)}=${this.hostileValueFor(parameter)}`];
        break;
      }
      case 'query-odd': {
        const name = prng.chance(0.5) || route.parameters.length === 0 ? prng.pick(ODD_PARAMETER_NAMES) : encodeURIComponent(prng.pick(route.parameters).name);
        const repeats = prng.int(1, prng.chance(0.1) ? 300 : 4);
        for (let i = 0; i < repeats; i++) query.push(`${name}${prng.chance(0.2) ? '' : `=${prng.pick(URL_TEXT)}`}`);
        break;
      }
      case 'body-field':
        if (fields) this.breakField(fields);
        break;
      case 'body-shape':
        body = this.hostileBody();
        headers['content-type'] = prng.pick(['application/json', 'application/json', 'application/x-www-form-urlencoded', 'application/fhir+json']);
        fields = undefined;
        break;
      case 'body-encoding':
        headers['content-encoding'] = prng.pick(CONTENT_ENCODINGS);
        if (prng.chance(0.5)) headers['content-type'] = prng.pick(CONTENT_TYPES);
        break;
      case 'method':
        method = prng.pick(METHODS);
        if (prng.chance(0.5)) {
          body = this.hostileBody();
          headers['content-type'] = 'application/json';
        }
        break;
      case 'credentials':
        if (prng.chance(0.6)) headers.authorization = prng.pick(AUTHORIZATION_HEADERS);
        else headers.cookie = prng.pick(COOKIES);
        break;
      case 'path-garbage':
        pathParameters = this.pathParameters(route, prng.chance(0.5));
        break;
    }

    if (body === undefined && fields && method !== 'GET' && method !== 'HEAD') {
      const type = route.body?.type ?? 'json';
      body = type === 'form' ? Buffer.from(formOf(fields)) : Buffer.from(JSON.stringify(fields));
      headers['content-type'] ??= type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
      if (headers['content-encoding'] && prng.chance(0.5)) body = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), body]);
    }
    let path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => pathParameters[name] ?? 'x');
    if (kind === 'path-garbage') path = this.garbledPath(path);
    const search = query.length > 0 ? `?${query.join('&')}` : '';
    return { index, service: route.service, kind, method, path: `${path}${search}`, headers, ...(body ? { body } : {}) };
  }

  private kindFor(route: Route): MutationKind {
    const possible = MUTATION_KINDS.filter((kind) => {
      if (kind === 'path-parameter') return route.parameters.some((each) => each.in === 'path');
      if (kind === 'query-value') return route.parameters.some((each) => each.in === 'query');
      if (kind === 'body-field') return route.body !== undefined;
      return true;
    });
    return this.prng.pick(possible);
  }

  private pathParameters(route: Route, hostile: boolean): Record<string, string> {
    const values: Record<string, string> = {};
    for (const parameter of route.parameters.filter((each) => each.in === 'path')) {
      const real = this.context.pathValues[parameter.name] ?? [];
      values[parameter.name] = hostile || real.length === 0 ? this.prng.pick(URL_TEXT) || 'x' : encodeURIComponent(this.prng.pick(real));
    }
    return values;
  }

  /** Mostly nothing, sometimes one well-formed parameter, so that a hostile one meets a real search. */
  private validQuery(route: Route): string[] {
    const real = this.context.pathValues.query ?? [];
    if (route.service !== 'fhir' || real.length === 0 || !this.prng.chance(0.3)) return [];
    return [this.prng.pick(real)];
  }

  private hostileValueFor(parameter: RouteParameter): string {
    if (parameter.type === 'date' && this.prng.chance(0.6)) return this.prng.pick(DATE_TEXT);
    if ((parameter.type === 'number' || parameter.type === 'integer') && this.prng.chance(0.5)) return this.prng.pick(['1e400', '-0', '99999999999999999999', '0.0000001', 'gt1e308', '-Infinity']);
    if (parameter.type === 'token' && this.prng.chance(0.4)) return this.prng.pick(['%7C', 'a%7Cb%7Cc', '%7C%00', 'http://x%7C', '%5C%7C', 'a%5C']);
    if (parameter.type === 'reference' && this.prng.chance(0.4)) return this.prng.pick(['Patient%2F', 'Patient%2F%00', 'http://evil.example/Patient/1', '%2F%2F', 'Patient%2F..%2F..']);
    return this.prng.pick(URL_TEXT);
  }

  private breakField(fields: Record<string, unknown>): void {
    const { prng } = this;
    const keys = Object.keys(fields);
    if (keys.length === 0 || prng.chance(0.1)) {
      fields[prng.pick(['__proto__', 'constructor', 'unknown', 'a\u0000', '\ud800'])] = prng.pick(JSON_VALUES);
      return;
    }
    const key = prng.pick(keys);
    const value = fields[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && prng.chance(0.5)) {
      this.breakField(value as Record<string, unknown>);
      return;
    }
    if (prng.chance(0.1)) delete fields[key];
    else fields[key] = prng.pick(JSON_VALUES);
  }

  private hostileBody(): Buffer {
    const { prng } = this;
    switch (prng.int(0, 11)) {
      case 0:
        return Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
      case 1:
        return Buffer.from(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`);
      case 2:
        return Buffer.alloc((prng.chance(0.5) ? 2 : 1) * 1024 * 1024 + prng.int(0, 999), 0x61);
      case 3:
        return Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]);
      case 4:
        return Buffer.from('{"email":"\\u0000","password":"\\ud800","name":"\\udfff"}');
      case 5:
        return Buffer.from('{"a":1,"a":2,"__proto__":{"admin":true}}');
      case 6:
        return Buffer.from(prng.pick(['[]', '"text"', '42', 'null', 'true', '[{}]', '{}']));
      case 7:
        return Buffer.from(prng.pick(['{', '{"a":', '{"a":1,}', "{'a':1}", 'NaN', '{"a":1e999999}', '\ufeff{}']));
      case 8:
        return Buffer.from(`username=${'%FF'.repeat(10)}&password=%00&x=%&y=%E0%A4`);
      case 9:
        return Buffer.from(Array.from({ length: 1000 }, (_, index) => `p${index}=1`).join('&'));
      case 10:
        return Buffer.from(`a${'[b]'.repeat(100)}=1&c[]=1&c[]=2&c[5000]=3`);
      default:
        return Buffer.from(JSON.stringify({ value: prng.pick(JSON_VALUES), list: Array.from({ length: 2000 }, () => 'x') }));
    }
  }

  private garbledPath(path: string): string {
    const { prng } = this;
    switch (prng.int(0, 5)) {
      case 0:
        return `${path}/${prng.pick(URL_TEXT)}`;
      case 1:
        return `${path}${'/x'.repeat(prng.int(1, 200))}`;
      case 2:
        return `${path}/..%2F..%2F${prng.pick(URL_TEXT)}`;
      case 3:
        return path.replace(/\/[^/]*$/, `/${prng.pick(URL_TEXT)}`);
      case 4:
        return `${path}%00.json`;
      default:
        return `//${path.replace(/^\/+/, '')}/;a=b`;
    }
  }
}

function formOf(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${encode(key)}=${encode(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))}`)
    .join('&');
}

/** Percent-encodes as UTF-8; an unpaired surrogate, which has no UTF-8 form, becomes the bytes a careless encoder would send. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.split('').map((char) => (/[\ud800-\udfff]/.test(char) ? '%ED%A0%80' : encode(char))).join('');
  }
}
