import Ajv from 'ajv';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * docker/docker-compose.yml read the way Compose reads it, without a Compose CLI: YAML (anchors and
 * `<<` merges), then variable interpolation in every value, then the Compose Specification's JSON
 * schema (compose-spec.schema.json: schema/compose-spec.json of the compose-spec repository at
 * commit 170098ba07d9f53c383a41bfd4c5166b0a4529a6, Apache-2.0, unchanged; replace the file to follow
 * a newer specification).
 */

export interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string[] | string; interval?: string; timeout?: string; retries?: number; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  volumes?: (string | { source?: string })[];
  ports?: (string | number | object)[];
  restart?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A `${NAME:?message}` (or `${NAME?message}`) whose variable is unset: Compose refuses the file. */
export class MissingComposeVariableError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`required variable ${variable} is missing a value${detail ? `: ${detail}` : ''}`);
    this.name = 'MissingComposeVariableError';
  }
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const EXPRESSION = new RegExp(`\\$(?:(\\$)|(${NAME})|\\{(${NAME})(?:(:?[-?+])((?:[^{}]|\\{[^{}]*\\})*))?\\})`, 'g');

/**
 * Compose's interpolation of one value: `$$` is a literal `$`; `$NAME` and `${NAME}`; `:-` / `-`
 * defaults when unset-or-empty / unset; `:?` / `?` refuse; `:+` / `+` substitute when set.
 * Defaults are themselves interpolated, as Compose does.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(EXPRESSION, (whole, dollar: string | undefined, bare: string | undefined, name: string | undefined, operator: string | undefined, operand = '') => {
    if (dollar) return '$';
    const variable = (bare ?? name) as string;
    const current = env[variable];
    if (!operator) {
      if (whole.startsWith('${') && whole.length > variable.length + 3) throw new Error(`invalid interpolation format for "${whole}"`);
      return current ?? '';
    }
    const colon = operator.startsWith(':');
    const unset = current === undefined || (colon && current === '');
    switch (operator.at(-1)) {
      case '-':
        return unset ? interpolate(operand, env) : (current as string);
      case '?':
        if (unset) throw new MissingComposeVariableError(variable, operand);
        return current as string;
      default:
        return unset ? '' : interpolate(operand, env);
    }
  });
}

/** Interpolates every string value of a parsed document (keys are left as they are, as Compose does). */
function interpolateTree(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, env));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateTree(value, env)]));
  return node;
}

/** docker/docker-compose.yml, which runs the platform as a plan deploys it. */
export const COMPOSE_FILE_PATH = path.resolve(__dirname, '../../../../docker/docker-compose.yml');

/** Parses a Compose file without interpolating it: values keep their `${…}` expressions. */
export function parseComposeFile(file: string): unknown {
  // YAML 1.2 core scalars, as Compose parses them, plus the `<<` merge keys Compose files rely on.
  return load(readFileSync(file, 'utf8'), { filename: file, schema: CORE_SCHEMA.withTags(mergeTag) });
}

/** Parses and interpolates a Compose file; throws MissingComposeVariableError as `docker compose config` would. */
export function renderComposeFile(file: string, env: Record<string, string | undefined>): unknown {
  return interpolateTree(parseComposeFile(file), env);
}

/**
 * The `NODE_OPTIONS` compose gives one service (it replaces the image's value whole), or undefined
 * when the service keeps the image's. Written as a literal: a value with `${…}` is refused, since
 * what it runs with would depend on the caller's environment.
 */
export function composeNodeOptions(service: string, file = COMPOSE_FILE_PATH): string | undefined {
  const document = parseComposeFile(file) as ComposeFile;
  const environment = document.services[service]?.environment;
  if (environment === undefined) return undefined;
  if (Array.isArray(environment)) throw new Error(`${file}: ${service}'s environment must be a mapping`);
  const value = environment.NODE_OPTIONS;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.includes('$')) throw new Error(`${file}: ${service}'s NODE_OPTIONS must be a literal string`);
  return value;
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** The schema violations of a rendered Compose document, one line each (none: valid). */
export function composeSchemaErrors(document: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(__dirname, 'compose-spec.schema.json'), 'utf8')) as Record<string, unknown>;
    // The schema names its draft by a URL Ajv does not register; Ajv's default draft is that same draft-07.
    delete schema.$schema;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (validator(document)) return [];
  return (validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
}
