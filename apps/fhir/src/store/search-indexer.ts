import { parseFhirDate, type SearchParameterDefinition, type SearchParameterRegistry } from '@payer-access/fhir-models';
import type { Resource } from '@medplum/fhirtypes';
import * as fhirpath from 'fhirpath';
import * as r4Model from 'fhirpath/fhir-context/r4';

/** One extracted search value, ready for its index table. */
export interface TokenRow {
  readonly param: string;
  readonly system: string | null;
  readonly code: string;
}
export interface DateRow {
  readonly param: string;
  readonly low: string;
  readonly high: string;
}
export interface ReferenceRow {
  readonly param: string;
  readonly targetType: string | null;
  readonly targetId: string;
}
export interface StringRow {
  readonly param: string;
  readonly value: string;
}

export interface IndexRows {
  readonly tokens: TokenRow[];
  readonly dates: DateRow[];
  readonly references: ReferenceRow[];
  readonly strings: StringRow[];
}

/** Parameters answered from the resource table's own columns rather than an index table. */
export const COLUMN_PARAMETERS: ReadonlySet<string> = new Set(['_id', '_lastUpdated']);

/** The earliest and latest instants PostgreSQL's timestamptz takes: open ends of a Period. */
const MIN_INSTANT = '0001-01-01T00:00:00.000Z';
const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

type Compiled = (resource: unknown) => unknown[];

/**
 * Extracts the values of every search parameter of a resource with the parameters' own FHIRPath
 * expressions, evaluated by the `fhirpath` engine against the R4 model. Expressions are compiled once.
 *
 * `resolve()` needs the referenced resource, which an index written at load time cannot fetch; as
 * HAPI and Medplum do, `X.where(resolve() is Patient)` is read as "X refers to a Patient", from the
 * reference's own type.
 */
export class SearchIndexer {
  private readonly compiled = new Map<string, { definition: SearchParameterDefinition; evaluate: Compiled }[]>();
  private readonly compartmentParams = new Map<string, ReadonlySet<string>>();

  constructor(private readonly registry: SearchParameterRegistry) {}

  index(resource: Resource): IndexRows {
    const rows: IndexRows = { tokens: [], dates: [], references: [], strings: [] };
    // Claims repeat values (every line's service date, the same provider twice): one row each is enough.
    const seen = new Set<string>();
    const fresh = (kind: string, param: string, a: string | null, b?: string | null) => {
      const key = `${kind}\u0000${param}\u0000${a ?? ''}\u0000${b ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };
    for (const { definition, evaluate } of this.parametersOf(resource.resourceType)) {
      const values = evaluate(resource);
      for (const value of values) {
        switch (definition.type) {
          case 'token':
            for (const token of tokensOf(value)) {
              if (fresh('t', definition.code, token.system, token.code)) rows.tokens.push({ param: definition.code, ...token });
            }
            break;
          case 'date': {
            const range = dateRangeOf(value);
            if (range && fresh('d', definition.code, range.low, range.high)) rows.dates.push({ param: definition.code, ...range });
            break;
          }
          case 'reference': {
            const target = referenceOf(value);
            if (target && fresh('r', definition.code, target.targetType, target.targetId)) rows.references.push({ param: definition.code, ...target });
            break;
          }
          case 'string':
            for (const text of stringsOf(value)) {
              const normalized = normalizeString(text);
              if (fresh('s', definition.code, normalized)) rows.strings.push({ param: definition.code, value: normalized });
            }
            break;
          default:
            break;
        }
      }
    }
    return rows;
  }

  /**
   * The patient compartment a resource belongs to: the Patient itself, or the Patient its `patient`
   * (Coverage: `beneficiary`) parameter points at; null for shared resources such as Practitioner.
   */
  compartmentOf(resource: Resource, rows: IndexRows): string | null {
    if (resource.resourceType === 'Patient') return resource.id ?? null;
    const patient =
      rows.references.find((row) => row.param === 'patient' && row.targetType === 'Patient') ??
      rows.references.find((row) => row.param === 'beneficiary' && row.targetType === 'Patient');
    return patient?.targetId ?? null;
  }

  /**
   * The reference parameters of a type whose value, in every resource in a patient's compartment,
   * includes that patient: `patient`, unless the type also has `beneficiary` (which compartmentOf
   * falls back to when a resource has no `patient` reference).
   */
  compartmentParamsOf(resourceType: string): ReadonlySet<string> {
    let params = this.compartmentParams.get(resourceType);
    if (!params) {
      const codes = new Set(this.registry.forResourceType(resourceType).map((definition) => definition.code));
      params = new Set(codes.has('patient') && !codes.has('beneficiary') ? ['patient'] : []);
      this.compartmentParams.set(resourceType, params);
    }
    return params;
  }

  private parametersOf(resourceType: string): { definition: SearchParameterDefinition; evaluate: Compiled }[] {
    let list = this.compiled.get(resourceType);
    if (!list) {
      list = this.registry
        .forResourceType(resourceType)
        .filter((definition) => !COLUMN_PARAMETERS.has(definition.code))
        .map((definition) => ({ definition, evaluate: compile(definition.expression) }));
      this.compiled.set(resourceType, list);
    }
    return list;
  }
}

function compile(expression: string): Compiled {
  const members = memberPathEvaluator(expression);
  if (members) return members;
  const rewritten = expression.replace(/\.where\(resolve\(\) is ([A-Za-z]+)\)/g, ".where(reference.startsWith('$1/'))");
  const evaluate = fhirpath.compile(rewritten, r4Model);
  return (resource) => evaluate(resource as Record<string, unknown>) as unknown[];
}

const MEMBER_PATH = /^([A-Z][A-Za-z]*)((?:\.(?:[a-z][A-Za-z]*|(?:ofType|as)\([A-Za-z]+\)))+)$/;
const TYPE_FILTER = /^(?:ofType|as)\(([A-Za-z]+)\)$/;
const ANY_TYPE: ReadonlySet<string> = new Set(['Resource', 'DomainResource']);

/**
 * Most search parameters are plain member paths (`ExplanationOfBenefit.insurance.coverage`, unions
 * of them): those are read straight off the JSON, several times faster than the FHIRPath engine,
 * which a bulk load runs for every parameter of every resource. A choice element (`item.serviced`)
 * is read under each of its typed names, as the R4 model lists them, or under one when `ofType` /
 * `as` names it. Anything else (other functions, `where`, parentheses) goes to the engine. The union's duplicates are left to the indexer, which
 * keeps one row per value. The spec compares both on the synthetic data set.
 */
export function memberPathEvaluator(expression: string): Compiled | undefined {
  const paths: { type: string; steps: string[][] }[] = [];
  for (const part of expression.split('|').map((text) => text.trim())) {
    const match = MEMBER_PATH.exec(part);
    if (!match) return undefined;
    const [, type, rest] = match;
    let modelPath = ANY_TYPE.has(type) ? 'Resource' : type;
    const steps: string[][] = [];
    for (const token of rest.slice(1).split('.')) {
      const filter = TYPE_FILTER.exec(token);
      if (filter) {
        // `serviced.ofType(date)`: only the typed name of a choice element; on anything else, the engine.
        const previous = steps[steps.length - 1];
        const member = modelPath.slice(modelPath.lastIndexOf('.') + 1);
        const named = `${member}${filter[1].charAt(0).toUpperCase()}${filter[1].slice(1)}`;
        if (!previous || previous.length < 2 || !previous.includes(named)) return undefined;
        steps[steps.length - 1] = [named];
        continue;
      }
      modelPath = `${modelPath}.${token}`;
      const choices = (r4Model.choiceTypePaths as Record<string, string[] | undefined>)[modelPath];
      steps.push(choices ? choices.map((choice) => `${token}${choice}`) : [token]);
    }
    paths.push({ type, steps });
  }
  return (resource) => {
    const found: unknown[] = [];
    for (const { type, steps } of paths) {
      if (!ANY_TYPE.has(type) && (resource as { resourceType?: unknown }).resourceType !== type) continue;
      let current: unknown[] = [resource];
      for (const names of steps) {
        const next: unknown[] = [];
        for (const value of current) {
          if (!isObject(value) || Array.isArray(value)) continue;
          for (const name of names) {
            const child = value[name];
            if (Array.isArray(child)) {
              for (const item of child) if (item !== null && item !== undefined) next.push(item);
            } else if (child !== null && child !== undefined) next.push(child);
          }
        }
        current = next;
      }
      found.push(...current);
    }
    return found;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Codes of a CodeableConcept, Coding, Identifier, ContactPoint, code, boolean or string. */
export function tokensOf(value: unknown): { system: string | null; code: string }[] {
  if (typeof value === 'string') return [{ system: null, code: value }];
  if (typeof value === 'boolean' || typeof value === 'number') return [{ system: null, code: String(value) }];
  if (!isObject(value)) return [];
  if (Array.isArray(value.coding)) return value.coding.flatMap((coding) => tokensOf(coding));
  const system = typeof value.system === 'string' ? value.system : null;
  if (typeof value.code === 'string') return [{ system, code: value.code }];
  if (typeof value.value === 'string') return [{ system, code: value.value }];
  return [];
}

/** The `[low, high)` instants a date, dateTime, instant or Period covers. */
export function dateRangeOf(value: unknown): { low: string; high: string } | undefined {
  if (typeof value === 'string') {
    const range = rangeOfText(value);
    return range && { low: range.low, high: range.high };
  }
  if (isObject(value) && (typeof value.start === 'string' || typeof value.end === 'string')) {
    const start = typeof value.start === 'string' ? rangeOfText(value.start) : undefined;
    const end = typeof value.end === 'string' ? rangeOfText(value.end) : undefined;
    return {
      low: start ? start.low : MIN_INSTANT,
      high: end ? end.high : MAX_INSTANT,
    };
  }
  return undefined;
}

/**
 * Claims repeat the same few thousand dates (service, billing and creation days), and parsing one
 * took a fifth of a bulk load's indexing: the ranges of recent date texts are kept, up to a bound.
 */
const MAX_CACHED_DATES = 20_000;
const DATE_RANGES = new Map<string, { readonly low: string; readonly high: string } | null>();

function rangeOfText(text: string): { readonly low: string; readonly high: string } | undefined {
  let range = DATE_RANGES.get(text);
  if (range === undefined) {
    const parsed = parseFhirDate(text);
    range = parsed.ok ? { low: parsed.range.start, high: parsed.range.end } : null;
    if (DATE_RANGES.size >= MAX_CACHED_DATES) DATE_RANGES.clear();
    DATE_RANGES.set(text, range);
  }
  return range ?? undefined;
}

/** `Type/id`, or an absolute URL ending in `Type/id`; contained (`#x`) and logical references are not indexed. */
export function referenceOf(value: unknown): { targetType: string | null; targetId: string } | undefined {
  if (!isObject(value) || typeof value.reference !== 'string') return undefined;
  const segments = value.reference.split(/[/?#]/).filter((segment) => segment !== '');
  if (value.reference.startsWith('#') || segments.length === 0) return undefined;
  if (segments.length === 1) return { targetType: typeof value.type === 'string' ? value.type : null, targetId: segments[0] };
  const historyAt = segments.lastIndexOf('_history');
  const tail = historyAt > 1 ? segments.slice(0, historyAt) : segments;
  return { targetType: tail[tail.length - 2], targetId: tail[tail.length - 1] };
}

/** The searchable text of a string, HumanName or Address. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!isObject(value)) return [];
  const parts: string[] = [];
  for (const key of ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'district', 'state', 'postalCode', 'country']) {
    const field = value[key];
    if (typeof field === 'string') parts.push(field);
    if (Array.isArray(field)) parts.push(...field.filter((item): item is string => typeof item === 'string'));
  }
  return parts;
}

/** R4 string search ignores case and accents. https://hl7.org/fhir/R4/search.html#string */
export function normalizeString(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}
