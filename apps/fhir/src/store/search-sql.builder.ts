import type { DateRange, DateSearchValue, SearchClause, SearchRequest, TokenSearchValue } from '@payer-access/fhir-models';
import { type Compartment, compartmentCondition, compartmentPatientOf } from './compartment';
import { normalizeString } from './search-indexer';

/** A search this store cannot run although the parser accepted it (for example a `_sort` on an indexed value). */
export class UnsupportedSearchError extends Error {
  constructor(
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'UnsupportedSearchError';
  }
}

export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

export interface BuiltSearch {
  /** The page: each match's `seq`, type, id and JSON text with the total of all matches, in paging order. */
  readonly page: SqlQuery;
  readonly count: SqlQuery;
}

export interface BuildOptions {
  /**
   * Reference parameters that name the compartment's patient in every resource of the searched type
   * (the indexer takes the compartment from them): a clause naming only that patient is implied.
   */
  readonly compartmentParams?: ReadonlySet<string>;
  /** One more condition on `resource r` that every match must meet (the token's granular scopes). */
  readonly filter?: (bind: (value: unknown) => string) => string;
}

/**
 * Turns a parsed search into SQL over the resource table and its index tables. Every clause is an
 * `EXISTS` on an index table keyed by `(resource_seq, param)`, so a member's search starts from the
 * compartment index and stays as fast with a million resources as with a thousand.
 * Values are always bound parameters; only table and column names, fixed here, are spliced.
 */
export class SearchSqlBuilder {
  private readonly values: unknown[] = [];
  private readonly where: string[] = [];

  /**
   * @param compartment whose data the search may match: a patient's compartment limits every type
   * but the shared directory types.
   */
  static build(request: SearchRequest, compartment: Compartment, options: BuildOptions = {}): BuiltSearch {
    const builder = new SearchSqlBuilder();
    builder.where.push(`r.resource_type = ${builder.bind(request.resourceType)}`);
    // Whose data, less what the grant withholds (sensitive data is absent from pages and totals alike).
    const confined = compartmentCondition(compartment, request.resourceType, (value) => builder.bind(value));
    if (confined !== undefined) builder.where.push(confined);
    const patientId = compartmentPatientOf(compartment, request.resourceType);
    if (options.filter) builder.where.push(options.filter((value) => builder.bind(value)));
    for (const clause of request.clauses) {
      // `patient=<the token's patient>` adds nothing to the compartment condition: leave it out.
      if (patientId !== undefined && options.compartmentParams?.has(clause.parameter.code) && namesOnly(clause, patientId)) continue;
      builder.where.push(builder.clause(clause));
    }
    const condition = builder.where.join(' AND ');
    const order = builder.orderBy(request);
    const countValues = [...builder.values];
    const limit = builder.bind(request.count);
    const offset = builder.bind(request.startIndex);
    return {
      page: {
        // The page is chosen first and only its rows' JSON read: in one SELECT the window would
        // turn every row up to the offset into text.
        text:
          `SELECT r.seq, r.resource_type, r.id, r.content::text AS json, p.total FROM ` +
          `(SELECT r.seq, count(*) OVER () AS total FROM resource r WHERE ${condition} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}) p ` +
          `JOIN resource r ON r.seq = p.seq ORDER BY ${order}`,
        values: builder.values,
      },
      count: { text: `SELECT count(*)::int AS total FROM resource r WHERE ${condition}`, values: countValues },
    };
  }

  private bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /**
   * Insertion order (`seq`) is the default and the tie-breaker: it never changes for a stored
   * resource and grows for new ones, so `startIndex` pages stay put while data is added.
   */
  private orderBy(request: SearchRequest): string {
    const keys = request.sort.map((rule) => {
      const direction = rule.descending ? 'DESC' : 'ASC';
      switch (rule.parameter.code) {
        case '_lastUpdated':
          return `r.last_updated ${direction}`;
        case '_id':
          return `r.id ${direction}`;
        default:
          throw new UnsupportedSearchError(`Sorting by ${rule.parameter.code} is not supported; sort by _lastUpdated or _id`, '_sort');
      }
    });
    return [...keys, 'r.seq ASC'].join(', ');
  }

  private clause(clause: SearchClause): string {
    const param = clause.parameter.code;
    if (clause.kind === 'missing') return this.missing(clause.parameter.type, param, clause.missing);
    if (param === '_id' && clause.kind === 'token') {
      const ids = clause.values.map((value) => value.code ?? '');
      const match = `r.id = ANY(${this.bind(ids)}::text[])`;
      return clause.not ? `NOT (${match})` : match;
    }
    if (param === '_lastUpdated' && clause.kind === 'date') {
      return this.anyOf(clause.values.map((value) => dateCondition(value, 'r.last_updated', `(r.last_updated + interval '1 millisecond')`, (v) => this.bind(v))));
    }
    switch (clause.kind) {
      case 'token': {
        const exists = this.exists('search_token', 't', param, this.anyOf(clause.values.map((value) => this.token(clause.parameter.allowedValues?.systems, value))));
        return clause.not ? `NOT ${exists}` : exists;
      }
      case 'date':
        return this.exists(
          'search_date',
          'd',
          param,
          this.anyOf(clause.values.map((value) => dateCondition(value, 'd.low', 'd.high', (v) => this.bind(v)))),
        );
      case 'reference':
        return this.exists(
          'search_reference',
          'x',
          param,
          this.anyOf(
            clause.values.map((value) =>
              value.resourceType === undefined
                ? `x.target_id = ${this.bind(value.id)}`
                : `(x.target_id = ${this.bind(value.id)} AND x.target_type = ${this.bind(value.resourceType)})`,
            ),
          ),
        );
      case 'string':
        return this.exists(
          'search_string',
          's',
          param,
          this.anyOf(
            clause.values.map((value) => {
              const text = normalizeString(value);
              if (clause.match === 'exact') return `s.value = ${this.bind(text)}`;
              const pattern = escapeLike(text);
              return `s.value LIKE ${this.bind(clause.match === 'contains' ? `%${pattern}%` : `${pattern}%`)}`;
            }),
          ),
        );
      default:
        throw new UnsupportedSearchError(`${clause.parameter.type} parameters are not supported`, clause.name);
    }
  }

  private token(allowedSystems: readonly string[] | undefined, value: TokenSearchValue): string {
    const conditions: string[] = [];
    if (value.code !== undefined) conditions.push(`t.code = ${this.bind(value.code)}`);
    if (value.system === '') conditions.push('t.system IS NULL');
    else if (value.system !== undefined) {
      // A closed vocabulary's systems are aliases of one code system (seed 002 spells it two ways).
      const systems = allowedSystems?.includes(value.system) ? allowedSystems : [value.system];
      conditions.push(`t.system = ANY(${this.bind(systems)}::text[])`);
    }
    return conditions.length === 1 ? conditions[0] : `(${conditions.join(' AND ')})`;
  }

  private exists(table: string, alias: string, param: string, condition: string): string {
    return `EXISTS (SELECT 1 FROM ${table} ${alias} WHERE ${alias}.resource_seq = r.seq AND ${alias}.param = ${this.bind(param)} AND ${condition})`;
  }

  private missing(type: string, param: string, missing: boolean): string {
    if (param === '_id' || param === '_lastUpdated') return missing ? 'FALSE' : 'TRUE';
    const table = { token: 'search_token', date: 'search_date', reference: 'search_reference', string: 'search_string' }[type];
    if (!table) throw new UnsupportedSearchError(`:missing is not supported on ${param}`, `${param}:missing`);
    const exists = `EXISTS (SELECT 1 FROM ${table} m WHERE m.resource_seq = r.seq AND m.param = ${this.bind(param)})`;
    return missing ? `NOT ${exists}` : exists;
  }

  private anyOf(conditions: string[]): string {
    return conditions.length === 1 ? conditions[0] : `(${conditions.join(' OR ')})`;
  }
}

/**
 * R4 date comparison between the search value's interval [s, e) and the resource's [low, high).
 * https://hl7.org/fhir/R4/search.html#prefix
 */
function dateCondition(value: DateSearchValue, low: string, high: string, bind: (value: unknown) => string): string {
  const range: DateRange = value.range;
  // Bound only when used: PostgreSQL refuses a parameter it cannot type because nothing uses it.
  const s = () => `${bind(range.start)}::timestamptz`;
  const e = () => `${bind(range.end)}::timestamptz`;
  const within = () => `(${low} >= ${s()} AND ${high} <= ${e()})`;
  switch (value.prefix) {
    case 'eq':
      return within();
    case 'ne':
      return `NOT ${within()}`;
    case 'gt':
      return `${high} > ${e()}`;
    case 'lt':
      return `${low} < ${s()}`;
    case 'ge':
      return `(${high} > ${e()} OR ${within()})`;
    case 'le':
      return `(${low} < ${s()} OR ${within()})`;
    case 'sa':
      return `${low} >= ${e()}`;
    case 'eb':
      return `${high} <= ${s()}`;
    case 'ap':
      return `(${low} < ${e()} AND ${high} > ${s()})`;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Whether the clause is a plain reference to exactly this patient (`patient=123`, `patient=Patient/123`). */
function namesOnly(clause: SearchClause, patientId: string): boolean {
  if (clause.kind !== 'reference' || clause.values.length !== 1) return false;
  const [value] = clause.values;
  return value.id === patientId && (value.resourceType === undefined || value.resourceType === 'Patient') && value.url === undefined;
}
