import { failure, quote, success, type Parsed } from './search-error.util';
import type { SearchParameterRegistry } from './search-parameter.registry';
import type { SearchParameterType } from './search-parameter.model';
import type { IncludeTarget, ResponseFormat, SortRule } from './search-request.model';

/*
 * The search result parameters: they shape the answer rather than select resources.
 * https://hl7.org/fhir/R4/search.html#return
 */

const NON_NEGATIVE_INTEGER = /^\d+$/;

function parseNonNegativeInteger(name: string, value: string): Parsed<number> {
  const number = NON_NEGATIVE_INTEGER.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(number)
    ? success(number)
    : failure('invalid', name, `${quote(value)} is not a valid value for ${name}; use a non-negative integer`);
}

/**
 * `_count`, clamped to `maxCount`: R4 lets a server return fewer results than asked, and the paging
 * links then carry the page size actually used, so a client following `next` still reaches the end.
 */
export function parseCount(name: string, value: string, maxCount: number): Parsed<number> {
  const count = parseNonNegativeInteger(name, value);
  return count.ok ? success(Math.min(count.value, maxCount)) : count;
}

/** `startIndex`: the zero-based offset seed 002's paging links use. */
export function parseStartIndex(name: string, value: string): Parsed<number> {
  return parseNonNegativeInteger(name, value);
}

/**
 * JSON only. `application/json+fhir` is the DSTU2 name seed 002 still sends. Media types are
 * case-insensitive, parameters such as `fhirVersion` are ignored, and a space stands for a `+`
 * that reached us unencoded. https://hl7.org/fhir/R4/http.html#mime-type
 */
const FORMATS = new Map<string, ResponseFormat>([
  ['json', 'application/fhir+json'],
  ['application/fhir+json', 'application/fhir+json'],
  ['application/json+fhir', 'application/fhir+json'],
  ['application/json', 'application/json'],
]);

export function parseFormat(name: string, value: string): Parsed<{ format: ResponseFormat; canonical: string }> {
  const canonical = value.trim().replace(/ /g, '+');
  const format = FORMATS.get(canonical.split(';')[0].trim().toLowerCase());
  return format
    ? success({ format, canonical })
    : failure(
        'not-supported',
        name,
        `_format ${quote(value)} is not supported; use json, application/json or application/fhir+json`,
      );
}

/**
 * `_include=Source:parameter[:Target]` or `Source:*`. For `_include` the source is the searched
 * type; for `_revinclude` it is another type whose parameter points at the searched type.
 * https://hl7.org/fhir/R4/search.html#include
 */
export function parseInclude(
  name: '_include' | '_revinclude',
  value: string,
  resourceType: string,
  registry: SearchParameterRegistry,
): Parsed<IncludeTarget> {
  const [sourceType, code, targetType, ...rest] = value.split(':');
  if (code === undefined || rest.length > 0) {
    return failure(
      'invalid',
      name,
      `${quote(value)} is not valid; use [type]:[parameter] or [type]:[parameter]:[target type]`,
    );
  }
  if (name === '_include' ? sourceType !== resourceType : !registry.supports(sourceType)) {
    return failure(
      'not-supported',
      name,
      name === '_include'
        ? `${quote(value)} must start with the searched type, ${resourceType}`
        : `${quote(value)} names a type that cannot be searched`,
    );
  }
  const references = registry.forResourceType(sourceType).filter((definition) => definition.type === 'reference');
  const parameters = code === '*' ? references : references.filter((definition) => definition.code === code);
  if (parameters.length === 0) {
    const known = references.map((definition) => definition.code).join(', ') || 'none';
    return failure('not-supported', name, `${quote(value)} is not supported; ${sourceType} reference parameters are ${known}`);
  }
  const pointsAt = (type: string) =>
    parameters.some((definition) => !definition.target || (definition.target as readonly string[]).includes(type));
  if (targetType !== undefined && !pointsAt(targetType)) {
    return failure('invalid', name, `${quote(value)}: ${sourceType}:${code} does not refer to ${targetType}`);
  }
  if (name === '_revinclude' && !pointsAt(resourceType)) {
    return failure('invalid', name, `${quote(value)}: ${sourceType}:${code} does not refer to ${resourceType}`);
  }
  return success(targetType === undefined ? { sourceType, parameters } : { sourceType, parameters, targetType });
}

/** Reference and composite parameters have no meaningful order. */
const SORTABLE_TYPES: readonly SearchParameterType[] = ['date', 'number', 'quantity', 'string', 'token', 'uri'];

/** `_sort=a,-b`: a leading `-` sorts descending. https://hl7.org/fhir/R4/search.html#sort */
export function parseSort(
  name: string,
  value: string,
  resourceType: string,
  registry: SearchParameterRegistry,
): Parsed<SortRule[]> {
  const rules: SortRule[] = [];
  for (const field of value.split(',')) {
    const descending = field.startsWith('-');
    const code = descending ? field.slice(1) : field;
    const parameter = registry.get(resourceType, code);
    if (!parameter || !SORTABLE_TYPES.includes(parameter.type)) {
      return failure('not-supported', name, `Sorting ${resourceType} by ${quote(code)} is not supported`);
    }
    rules.push({ parameter, descending });
  }
  return success(rules);
}

/** Only `count` changes the answer; `false` is the default spelled out. */
export function parseSummary(name: string, value: string): Parsed<'count' | undefined> {
  if (value === 'count' || value === 'false') {
    return success(value === 'count' ? 'count' : undefined);
  }
  return failure('not-supported', name, `_summary=${quote(value)} is not supported; use count or false`);
}

const ELEMENT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** https://hl7.org/fhir/R4/search.html#elements */
export function parseElements(name: string, value: string): Parsed<string[]> {
  const elements = value.split(',');
  const bad = elements.find((element) => !ELEMENT_NAME.test(element));
  return bad === undefined
    ? success(elements)
    : failure('invalid', name, `${quote(bad)} is not an element name`);
}

/** Accepted and ignored: the total is always counted exactly. https://hl7.org/fhir/R4/search.html#total */
export function parseTotal(name: string, value: string): Parsed<void> {
  return ['none', 'estimate', 'accurate'].includes(value)
    ? success(undefined)
    : failure('invalid', name, `${quote(value)} is not a valid value for _total; use none, estimate or accurate`);
}

/** https://hl7.org/fhir/R4/http.html#general */
export function parsePretty(name: string, value: string): Parsed<boolean> {
  return value === 'true' || value === 'false'
    ? success(value === 'true')
    : failure('invalid', name, `${quote(value)} is not a valid value for _pretty; use true or false`);
}
