import {
  parseCount,
  parseElements,
  parseFormat,
  parseInclude,
  parsePretty,
  parseSort,
  parseStartIndex,
  parseSummary,
  parseTotal,
} from './result-parameter.parser';
import { failure, quote, success, type Parsed } from './search-error.util';
import type { SearchParameterRegistry } from './search-parameter.registry';
import {
  DEFAULT_SEARCH_COUNT,
  MAX_SEARCH_COUNT,
  type IncludeTarget,
  type QueryParameter,
  type ResponseFormat,
  type SearchClause,
  type SearchParseResult,
  type SearchParserOptions,
  type SortRule,
} from './search-request.model';
import { parseClause } from './search-value.parser';

/** A parsed query string, as Node frameworks hand it over: repeated names become arrays. */
export type SearchQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The request under construction; frozen into a SearchRequest at the end. */
interface Draft {
  clauses: SearchClause[];
  count: number;
  startIndex: number;
  sort: SortRule[];
  include: IncludeTarget[];
  revInclude: IncludeTarget[];
  summary?: 'count';
  elements?: string[];
  format?: ResponseFormat;
  pretty?: boolean;
  linkParameters: QueryParameter[];
}

interface Context {
  readonly resourceType: string;
  readonly registry: SearchParameterRegistry;
  readonly maxCount: number;
  readonly defaultTimezoneOffsetMinutes: number;
}

type ResultParameterHandler = (draft: Draft, name: string, value: string, context: Context) => Parsed<void>;

function applied<T>(parsed: Parsed<T>, apply: (value: T) => void): Parsed<void> {
  if (parsed.ok) {
    apply(parsed.value);
    return success(undefined);
  }
  return parsed;
}

/** Paging parameters are not repeated as-is in links: the bundle builder writes them per page. */
function echoed(draft: Draft, name: string, value: string): void {
  draft.linkParameters.push({ name, value });
}

interface ResultParameter {
  readonly repeatable: boolean;
  readonly handle: ResultParameterHandler;
}

/**
 * The result parameters we accept, and whether each may appear more than once. `_total` and
 * `_pretty` are the "harmless" extras: accepted so that generic clients work, with no effect on
 * which resources match. Looked up as a Map so that names such as `constructor` find nothing.
 */
const RESULT_PARAMETERS: ReadonlyMap<string, ResultParameter> = new Map(
  Object.entries<ResultParameter>({
    _count: {
      repeatable: false,
      handle: (draft, name, value, context) =>
        applied(parseCount(name, value, context.maxCount), (count) => (draft.count = count)),
    },
    startIndex: {
      repeatable: false,
      handle: (draft, name, value) => applied(parseStartIndex(name, value), (index) => (draft.startIndex = index)),
    },
    _format: {
      repeatable: false,
      handle: (draft, name, value) =>
        applied(parseFormat(name, value), ({ format, canonical }) => {
          draft.format = format;
          echoed(draft, name, canonical);
        }),
    },
    _include: {
      repeatable: true,
      handle: (draft, name, value, context) =>
        applied(parseInclude('_include', value, context.resourceType, context.registry), (target) => {
          draft.include.push(target);
          echoed(draft, name, value);
        }),
    },
    _revinclude: {
      repeatable: true,
      handle: (draft, name, value, context) =>
        applied(parseInclude('_revinclude', value, context.resourceType, context.registry), (target) => {
          draft.revInclude.push(target);
          echoed(draft, name, value);
        }),
    },
    _sort: {
      repeatable: false,
      handle: (draft, name, value, context) =>
        applied(parseSort(name, value, context.resourceType, context.registry), (rules) => {
          draft.sort = rules;
          echoed(draft, name, value);
        }),
    },
    _summary: {
      repeatable: false,
      handle: (draft, name, value) =>
        applied(parseSummary(name, value), (summary) => {
          draft.summary = summary;
          echoed(draft, name, value);
        }),
    },
    _elements: {
      repeatable: false,
      handle: (draft, name, value) =>
        applied(parseElements(name, value), (elements) => {
          draft.elements = elements;
          echoed(draft, name, value);
        }),
    },
    _total: {
      repeatable: false,
      handle: (draft, name, value) => applied(parseTotal(name, value), () => echoed(draft, name, value)),
    },
    _pretty: {
      repeatable: false,
      handle: (draft, name, value) =>
        applied(parsePretty(name, value), (pretty) => {
          draft.pretty = pretty;
          echoed(draft, name, value);
        }),
    },
  }),
);

/**
 * Parses a FHIR search query string into a typed request, or the first error found, which the
 * server answers with a 400 OperationOutcome (see `searchErrorOutcome`). Pure: no I/O, no framework.
 *
 * Unknown parameters are errors, not silently ignored (PRODUCT: "400 on unknown params"), since
 * ignoring a misspelt filter would return more of a member's data than the app asked for; this is
 * R4's `handling=strict` behaviour. https://hl7.org/fhir/R4/search.html#errors
 */
export function parseSearchRequest(
  resourceType: string,
  query: SearchQuery,
  registry: SearchParameterRegistry,
  options: SearchParserOptions = {},
): SearchParseResult {
  if (!registry.supports(resourceType)) {
    return failure('not-supported', undefined, `Searching ${quote(resourceType)} is not supported`);
  }
  const context: Context = {
    resourceType,
    registry,
    maxCount: options.maxCount ?? MAX_SEARCH_COUNT,
    defaultTimezoneOffsetMinutes: options.defaultTimezoneOffsetMinutes ?? 0,
  };
  const draft: Draft = {
    clauses: [],
    count: Math.min(options.defaultCount ?? DEFAULT_SEARCH_COUNT, context.maxCount),
    startIndex: 0,
    sort: [],
    include: [],
    revInclude: [],
    linkParameters: [],
  };
  const seen = new Set<string>();

  const pairs = queryPairs(query);
  if (!pairs.ok) {
    return pairs;
  }
  for (const [name, value] of pairs.value) {
    const step = acceptParameter(draft, seen, name, value, context);
    if (!step.ok) {
      return step;
    }
  }
  return { ok: true, request: { resourceType, ...draft } };
}

function acceptParameter(
  draft: Draft,
  seen: Set<string>,
  name: string,
  value: string,
  context: Context,
): Parsed<void> {
  const [code, ...modifiers] = name.split(':');
  const modifier = modifiers.length > 0 ? modifiers.join(':') : undefined;

  const result = RESULT_PARAMETERS.get(code);
  if (result) {
    if (modifier !== undefined) {
      return failure('not-supported', name, `${quote(name)}: modifiers are not supported on ${code}`);
    }
    // An empty value means the parameter is absent. https://hl7.org/fhir/R4/search.html#errors
    if (value === '') {
      return success(undefined);
    }
    if (!result.repeatable && seen.has(code)) {
      return failure('invalid', name, `${code} may appear only once`);
    }
    seen.add(code);
    return result.handle(draft, name, value, context);
  }

  if (code.includes('.') || code === '_has') {
    return failure('not-supported', name, `Chained search (${quote(name)}) is not supported`);
  }
  const definition = context.registry.get(context.resourceType, code);
  if (!definition) {
    const known = context.registry.forResourceType(context.resourceType).map((d) => d.code);
    return failure(
      'not-supported',
      name,
      `Unknown search parameter ${quote(code)} for ${context.resourceType}; supported: ${known.join(', ')}`,
    );
  }
  if (value === '') {
    return success(undefined);
  }
  const parsed = parseClause({
    name,
    modifier,
    value,
    definition,
    defaultTimezoneOffsetMinutes: context.defaultTimezoneOffsetMinutes,
  });
  return applied(parsed, ({ clause, canonical }) => {
    draft.clauses.push(clause);
    echoed(draft, name, canonical);
  });
}

/**
 * Flattens the query into name/value pairs in request order. Anything but strings (a nested object
 * from an "extended" query parser, say) is refused here rather than crashing later.
 */
function queryPairs(query: SearchQuery): Parsed<[string, string][]> {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(query)) {
    const values: readonly unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (typeof item !== 'string') {
        return failure('invalid', name, `${quote(name)} must be a plain name=value pair`);
      }
      pairs.push([name, item]);
    }
  }
  return success(pairs);
}
