import { isFhirId } from '../fhir-id';
import { parseFhirDate } from './fhir-date.parser';
import { failure, quote, success, type Failure, type Parsed } from './search-error.util';
import type { SearchParameterDefinition } from './search-parameter.model';
import {
  SEARCH_PREFIXES,
  type DateSearchValue,
  type NumberSearchValue,
  type QuantitySearchValue,
  type ReferenceSearchValue,
  type SearchClause,
  type SearchPrefix,
  type StringMatch,
  type TokenSearchValue,
} from './search-request.model';

/** A parsed parameter and the canonical text of its value, which paging links repeat. */
export interface ParsedClause {
  readonly clause: SearchClause;
  readonly canonical: string;
}

/** The query parameter being parsed: `name` as written, split into code and modifier. */
export interface ClauseInput {
  readonly name: string;
  readonly modifier?: string;
  readonly value: string;
  readonly definition: SearchParameterDefinition;
  readonly defaultTimezoneOffsetMinutes: number;
}

// https://hl7.org/fhir/R4/datatypes.html#id and #decimal
const RESOURCE_TYPE = /^[A-Z][A-Za-z]+$/;
const FHIR_DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Parses one search parameter's value by the parameter's type. Modifiers outside the supported set
 * are refused rather than ignored, as R4 requires: ignoring one would silently widen the search.
 * https://hl7.org/fhir/R4/search.html#modifiers
 */
export function parseClause(input: ClauseInput): Parsed<ParsedClause> {
  const { definition, modifier, value } = input;
  if (modifier === 'missing') {
    return parseMissing(input);
  }
  const parts = splitUnescaped(value, ',');
  if (parts.some((part) => part === '')) {
    return failure('invalid', input.name, `${quote(value)} has an empty value in its comma-separated list`);
  }

  switch (definition.type) {
    case 'token':
      return parseTokenClause(input, parts);
    case 'string':
      return parseStringClause(input, parts);
    case 'reference':
      return parseReferenceClause(input, parts);
    case 'uri':
      return withoutModifier(input, () => success(clauseOf(input, { kind: 'uri', values: parts.map(unescape) })));
    case 'date':
      return withoutModifier(input, () => parseDateClause(input, parts));
    case 'number':
      return withoutModifier(input, () => parseNumberClause(input, parts));
    case 'quantity':
      return withoutModifier(input, () => parseQuantityClause(input, parts));
    case 'composite':
    case 'special':
      return failure('not-supported', input.name, `${definition.type} parameters are not supported`);
  }
}

/** `:missing=true|false`, valid on every type. https://hl7.org/fhir/R4/search.html#missing */
function parseMissing(input: ClauseInput): Parsed<ParsedClause> {
  if (input.value !== 'true' && input.value !== 'false') {
    return failure(
      'invalid',
      input.name,
      `${quote(input.value)} is not a valid value for :missing; use true or false`,
    );
  }
  return success(clauseOf(input, { kind: 'missing', missing: input.value === 'true' }));
}

/** Omit applied to each member of a union, so that `kind` still discriminates the result. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ClauseBody = DistributiveOmit<SearchClause, 'parameter' | 'name'>;

function clauseOf(input: ClauseInput, body: ClauseBody, canonical = input.value): ParsedClause {
  return { clause: { ...body, parameter: input.definition, name: input.name } as SearchClause, canonical };
}

function withoutModifier(input: ClauseInput, parse: () => Parsed<ParsedClause>): Parsed<ParsedClause> {
  return input.modifier === undefined ? parse() : unsupportedModifier(input);
}

function unsupportedModifier(input: ClauseInput): Failure {
  return failure(
    'not-supported',
    input.name,
    `Modifier ':${input.modifier}' is not supported on ${input.definition.type} parameter '${input.definition.code}'`,
  );
}

function collect<T>(parts: readonly string[], parse: (part: string) => Parsed<T>): Parsed<T[]> {
  const values: T[] = [];
  for (const part of parts) {
    const parsed = parse(part);
    if (!parsed.ok) {
      return parsed;
    }
    values.push(parsed.value);
  }
  return success(values);
}

// --- token -----------------------------------------------------------------------------------

function parseTokenClause(input: ClauseInput, parts: readonly string[]): Parsed<ParsedClause> {
  if (input.modifier !== undefined && input.modifier !== 'not') {
    return unsupportedModifier(input);
  }
  const values = collect(parts, (part) => parseToken(input, part));
  if (!values.ok) {
    return values;
  }
  return success(clauseOf(input, { kind: 'token', not: input.modifier === 'not', values: values.value }));
}

/** `[system]|[code]`, `code`, `|code` or `system|`. https://hl7.org/fhir/R4/search.html#token */
function parseToken(input: ClauseInput, part: string): Parsed<TokenSearchValue> {
  const pieces = splitUnescaped(part, '|');
  if (pieces.length > 2 || (pieces.length === 2 && pieces[0] === '' && pieces[1] === '')) {
    return failure('invalid', input.name, `${quote(part)} is not a token; use [system]|[code]`);
  }
  const token: TokenSearchValue =
    pieces.length === 1
      ? { code: unescape(pieces[0]) }
      : pieces[1] === ''
        ? { system: unescape(pieces[0]) }
        : { system: unescape(pieces[0]), code: unescape(pieces[1]) };
  return checkAllowedValues(input, part, token);
}

/**
 * A closed vocabulary is enforced here, not left to match nothing: seed 002 answers a wrong claim
 * type or a wrong case with a 400 saying "not a valid value".
 */
function checkAllowedValues(input: ClauseInput, part: string, token: TokenSearchValue): Parsed<TokenSearchValue> {
  const allowed = input.definition.allowedValues;
  if (!allowed) {
    return success(token);
  }
  const notValid = `${quote(unescape(part))} is not a valid value for ${input.definition.code}`;
  if (token.code !== undefined && !allowed.codes.includes(token.code)) {
    return failure(
      'code-invalid',
      input.name,
      `${notValid}; expected one of ${allowed.codes.join(', ')} (codes are case-sensitive)`,
    );
  }
  if (token.system !== undefined && !allowed.systems.includes(token.system)) {
    return failure('code-invalid', input.name, `${notValid}: the system must be one of ${allowed.systems.join(', ')}`);
  }
  return success(token);
}

// --- string ----------------------------------------------------------------------------------

const STRING_MATCHES = new Map<string, StringMatch>([
  ['exact', 'exact'],
  ['contains', 'contains'],
]);

/** Default matching is case- and accent-insensitive "starts with". https://hl7.org/fhir/R4/search.html#string */
function parseStringClause(input: ClauseInput, parts: readonly string[]): Parsed<ParsedClause> {
  const match = input.modifier === undefined ? 'starts-with' : STRING_MATCHES.get(input.modifier);
  if (match === undefined) {
    return unsupportedModifier(input);
  }
  return success(clauseOf(input, { kind: 'string', match, values: parts.map(unescape) }));
}

// --- reference -------------------------------------------------------------------------------

/** A type modifier (`patient:Patient=123`) is the only reference modifier accepted. */
function parseReferenceClause(input: ClauseInput, parts: readonly string[]): Parsed<ParsedClause> {
  const modifierType = input.modifier;
  if (modifierType !== undefined) {
    if (!RESOURCE_TYPE.test(modifierType)) {
      return unsupportedModifier(input);
    }
    const targetError = checkTarget(input, modifierType);
    if (targetError) {
      return targetError;
    }
  }
  const values = collect(parts, (part) =>
    modifierType === undefined
      ? parseReference(input, unescape(part))
      : parseTypedId(input, modifierType, unescape(part)),
  );
  return values.ok ? success(clauseOf(input, { kind: 'reference', values: values.value })) : values;
}

/** `123`, `Patient/123` or `https://host/base/Patient/123`. https://hl7.org/fhir/R4/search.html#reference */
function parseReference(input: ClauseInput, text: string): Parsed<ReferenceSearchValue> {
  if (/^https?:\/\//i.test(text)) {
    return parseAbsoluteReference(input, text);
  }
  const segments = text.split('/');
  if (segments.length === 1) {
    return parseTypedId(input, soleTarget(input.definition), text);
  }
  if (segments.length === 2 && RESOURCE_TYPE.test(segments[0])) {
    return parseTypedId(input, segments[0], segments[1]);
  }
  return invalidReference(input, text);
}

function parseAbsoluteReference(input: ClauseInput, text: string): Parsed<ReferenceSearchValue> {
  let segments: string[];
  try {
    segments = new URL(text).pathname.split('/').filter((segment) => segment !== '');
  } catch {
    return invalidReference(input, text);
  }
  if (segments.length < 2 || !RESOURCE_TYPE.test(segments[segments.length - 2])) {
    return invalidReference(input, text);
  }
  const parsed = parseTypedId(input, segments[segments.length - 2], segments[segments.length - 1]);
  return parsed.ok ? success({ ...parsed.value, url: text }) : parsed;
}

function parseTypedId(
  input: ClauseInput,
  resourceType: string | undefined,
  id: string,
): Parsed<ReferenceSearchValue> {
  if (!isFhirId(id)) {
    return failure('invalid', input.name, `${quote(id)} is not a valid resource id`);
  }
  if (resourceType === undefined) {
    return success({ id });
  }
  return checkTarget(input, resourceType) ?? success({ resourceType, id });
}

function checkTarget(input: ClauseInput, resourceType: string): Failure | undefined {
  const target = input.definition.target;
  if (target && !(target as readonly string[]).includes(resourceType)) {
    return failure(
      'invalid',
      input.name,
      `${input.definition.code} refers to ${target.join(' or ')}, not ${quote(resourceType)}`,
    );
  }
  return undefined;
}

function soleTarget(definition: SearchParameterDefinition): string | undefined {
  return definition.target?.length === 1 ? definition.target[0] : undefined;
}

function invalidReference(input: ClauseInput, text: string): Failure {
  return failure(
    'invalid',
    input.name,
    `${quote(text)} is not a reference; use [id], [type]/[id] or an absolute URL`,
  );
}

// --- ordered types: date, number, quantity ---------------------------------------------------

/** Splits the comparison prefix off; no letters means `eq`. https://hl7.org/fhir/R4/search.html#prefix */
function splitPrefix(input: ClauseInput, part: string): Parsed<{ prefix: SearchPrefix; rest: string }> {
  const letters = /^[a-z]+/.exec(part)?.[0];
  if (letters === undefined) {
    return success({ prefix: 'eq', rest: part });
  }
  if (!(SEARCH_PREFIXES as readonly string[]).includes(letters)) {
    return failure(
      'invalid',
      input.name,
      `${quote(part)} has an unknown prefix ${quote(letters)}; use one of ${SEARCH_PREFIXES.join(', ')}`,
    );
  }
  return success({ prefix: letters as SearchPrefix, rest: part.slice(letters.length) });
}

function parseDateClause(input: ClauseInput, parts: readonly string[]): Parsed<ParsedClause> {
  const canonical: string[] = [];
  const values = collect(parts, (part): Parsed<DateSearchValue> => {
    const split = splitPrefix(input, part);
    if (!split.ok) {
      return split;
    }
    const date = parseFhirDate(split.value.rest, input.defaultTimezoneOffsetMinutes);
    if (!date.ok) {
      return failure('invalid', input.name, `${quote(part)} is not a valid date: ${date.reason}`);
    }
    canonical.push(part.slice(0, part.length - split.value.rest.length) + date.canonical);
    return success({ prefix: split.value.prefix, range: date.range });
  });
  return values.ok ? success(clauseOf(input, { kind: 'date', values: values.value }, canonical.join(','))) : values;
}

function parseNumberClause(input: ClauseInput, parts: readonly string[]): Parsed<ParsedClause> {
  const values = collect(parts, (part): Parsed<NumberSearchValue> => {
    const split = splitPrefix(input, part);
    if (!split.ok) {
      return split;
    }
    const value = parseDecimal(split.value.rest);
    return value === undefined
      ? failure('invalid', input.name, `${quote(part)} is not a valid number`)
      : success({ prefix: split.value.prefix, value });
  });
  return values.ok ? success(clauseOf(input, { kind: 'number', values: values.value })) : values;
}

/**
 * `[prefix]number`, `[prefix]number|system|code` or `[prefix]number||code`.
 * https://hl7.org/fhir/R4/search.html#quantity
 */
function parseQuantityClause(input: ClauseInput, parts: readonly string[]): Parsed<ParsedClause> {
  const values = collect(parts, (part): Parsed<QuantitySearchValue> => {
    const split = splitPrefix(input, part);
    if (!split.ok) {
      return split;
    }
    const pieces = splitUnescaped(split.value.rest, '|');
    const value = parseDecimal(pieces[0]);
    const unitsWellFormed = pieces.length === 1 || (pieces.length === 3 && pieces[2] !== '');
    if (value === undefined || !unitsWellFormed) {
      return failure('invalid', input.name, `${quote(part)} is not a quantity; use [prefix][number]|[system]|[code]`);
    }
    const { prefix } = split.value;
    return pieces.length === 1
      ? success({ prefix, value })
      : success({ prefix, value, system: unescape(pieces[1]), code: unescape(pieces[2]) });
  });
  return values.ok ? success(clauseOf(input, { kind: 'quantity', values: values.value })) : values;
}

function parseDecimal(text: string): number | undefined {
  return FHIR_DECIMAL.test(text) ? Number(text) : undefined;
}

// --- escaping --------------------------------------------------------------------------------

/**
 * Splits on a separator not preceded by a backslash, keeping escapes for the next step.
 * https://hl7.org/fhir/R4/search.html#escaping
 */
export function splitUnescaped(text: string, separator: ',' | '|'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && i + 1 < text.length) {
      current += char + text[i + 1];
      i++;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes the escapes FHIR defines (`\,` `\|` `\$` `\\`); any other backslash is literal. */
export function unescape(text: string): string {
  return text.replace(/\\([\\,|$])/g, '$1');
}
