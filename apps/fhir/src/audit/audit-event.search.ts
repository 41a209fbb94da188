import type { AuditEvent, AuditEventAgent, AuditEventEntity, Bundle } from '@medplum/fhirtypes';
import { badRequest, type FhirOutcome, notSupported } from '@payer-access/fhir-models';

/** One stored access audit row, as the search reads it. */
export interface AccessAuditRow {
  id: string;
  occurred_at: Date;
  client_id: string | null;
  subject: string | null;
  patient_id: string | null;
  representative: boolean;
  grant_id: string | null;
  interaction: string;
  resource_type: string | null;
  resource_id: string | null;
  query: string | null;
  status: number;
  result_count: number | null;
  reason: string | null;
}

/** `[base]/AuditEvent?patient=&agent=&date=`, parsed: each criterion narrows; dates as `[from, to)` bounds. */
export interface AuditEventCriteria {
  patient?: string;
  agent?: string;
  /** SQL conditions on `occurred_at`: operator and instant. */
  dates: { op: '>=' | '<'; at: Date }[];
  count: number;
  offset: number;
}

const DEFAULT_COUNT = 50;
const MAX_COUNT = 500;
const PARAMETERS = new Set(['patient', 'agent', 'date', '_count', 'startIndex', '_format']);
const DATE = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * Reads the search from the raw query string (repeated `date` for an interval; any other parameter
 * at most once). Errors are OperationOutcomes, never exceptions of the parser.
 */
export function parseAuditEventSearch(search: URLSearchParams): { ok: true; criteria: AuditEventCriteria } | { ok: false; outcome: FhirOutcome } {
  const criteria: AuditEventCriteria = { dates: [], count: DEFAULT_COUNT, offset: 0 };
  const seen = new Set<string>();
  for (const [name, value] of search) {
    if (!PARAMETERS.has(name)) return { ok: false, outcome: notSupported(`Unknown search parameter '${name.slice(0, 64)}' for AuditEvent (patient, agent, date, _count, startIndex)`, name.slice(0, 64)) };
    if (name !== 'date' && seen.has(name)) return { ok: false, outcome: badRequest(`'${name}' may appear only once`, name) };
    seen.add(name);
    if (value === '' || value.length > 256) return { ok: false, outcome: badRequest(`'${name}' needs a value of at most 256 characters`, name) };
    if (name === 'patient') criteria.patient = value.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
    else if (name === 'agent') criteria.agent = value;
    else if (name === '_count' || name === 'startIndex') {
      if (!/^\d{1,6}$/.test(value)) return { ok: false, outcome: badRequest(`'${name}' must be a non-negative integer`, name) };
      if (name === '_count') criteria.count = Math.min(Number(value), MAX_COUNT);
      else criteria.offset = Number(value);
    } else if (name === 'date') {
      const bounds = dateBounds(value);
      if (!bounds) return { ok: false, outcome: badRequest(`'${value.slice(0, 64)}' is not a valid date (prefix eq, gt, ge, lt or le, then YYYY, YYYY-MM, YYYY-MM-DD or a date-time with a zone)`, 'date') };
      criteria.dates.push(...bounds);
    }
  }
  return { ok: true, criteria };
}

/** A date's prefix and precision as conditions on the instant (R4 search: the value is a range). */
function dateBounds(value: string): AuditEventCriteria['dates'] | undefined {
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [, prefix = 'eq', year, month, day, hour, minute, second, fraction, zone] = match;
  if (!['eq', 'gt', 'ge', 'lt', 'le'].includes(prefix)) return undefined;
  let low: Date;
  let high: Date;
  if (hour !== undefined) {
    const text = `${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}${fraction ?? ''}${zone}`;
    low = new Date(text);
    if (Number.isNaN(low.getTime()) || !validCalendarDate(+year, +month, +day) || +hour > 23 || +minute > 59 || +(second ?? 0) > 59) return undefined;
    // Precision of the value given: a second (or a minute without seconds).
    high = new Date(low.getTime() + (second === undefined ? 60_000 : fraction ? 1 : 1000));
  } else {
    const y = +year;
    const m = month === undefined ? 1 : +month;
    const d = day === undefined ? 1 : +day;
    if (!validCalendarDate(y, m, d)) return undefined;
    low = new Date(Date.UTC(y, m - 1, d));
    high = day !== undefined ? new Date(Date.UTC(y, m - 1, d + 1)) : month !== undefined ? new Date(Date.UTC(y, m, 1)) : new Date(Date.UTC(y + 1, 0, 1));
  }
  switch (prefix) {
    case 'gt':
      return [{ op: '>=', at: high }];
    case 'ge':
      return [{ op: '>=', at: low }];
    case 'lt':
      return [{ op: '<', at: low }];
    case 'le':
      return [{ op: '<', at: high }];
    default:
      return [
        { op: '>=', at: low },
        { op: '<', at: high },
      ];
  }
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const AUDIT_EVENT_TYPE = { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' };
const INTERACTION_SYSTEM = 'http://hl7.org/fhir/restful-interaction';
const CLIENT_ID_SYSTEM = 'urn:ietf:params:oauth:client-id';

/** One audit row as an R4 AuditEvent (https://hl7.org/fhir/R4/auditevent.html): who, what, when, outcome. */
export function toAuditEvent(row: AccessAuditRow, observer: string): AuditEvent {
  const agents: AuditEventAgent[] = [
    {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'CST', display: 'custodian' }], text: 'client application' },
      who: row.client_id ? { identifier: { system: CLIENT_ID_SYSTEM, value: row.client_id } } : { display: 'unknown client' },
      requestor: true,
    },
  ];
  if (row.subject) {
    agents.push({
      type: { text: row.representative ? 'personal representative of the member' : 'member' },
      who: { identifier: { system: 'urn:payer-access:member', value: row.subject } },
      requestor: false,
    });
  }
  const entity: AuditEventEntity[] = [];
  if (row.patient_id) {
    entity.push({
      what: { reference: `Patient/${row.patient_id}` },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
  }
  if (row.resource_type) {
    entity.push({
      what: row.resource_id ? { reference: `${row.resource_type}/${row.resource_id}` } : { display: row.resource_type },
      type: { system: 'http://hl7.org/fhir/resource-types', code: row.resource_type },
      ...(row.query !== null ? { query: Buffer.from(row.query, 'utf8').toString('base64') } : {}),
      ...(row.result_count !== null ? { detail: [{ type: 'result-count', valueString: String(row.result_count) }] } : {}),
    });
  }
  const code = row.interaction === 'read' ? 'read' : row.interaction === 'search' || row.interaction === 'audit-search' ? 'search-type' : 'operation';
  return {
    resourceType: 'AuditEvent',
    id: row.id,
    type: AUDIT_EVENT_TYPE,
    subtype: [{ system: INTERACTION_SYSTEM, code, display: row.interaction }],
    action: code === 'read' ? 'R' : 'E',
    recorded: new Date(row.occurred_at).toISOString(),
    // 0 success, 4 minor failure (the request was refused), 8 serious failure (the server failed).
    outcome: row.status < 400 ? '0' : row.status < 500 ? '4' : '8',
    outcomeDesc: row.reason ?? `HTTP ${row.status}`,
    agent: agents,
    source: { observer: { display: observer } },
    ...(entity.length > 0 ? { entity } : {}),
  };
}

/** The searchset Bundle of a page of AuditEvents, with `self` and, while more match, `next`. */
export function auditEventBundle(baseUrl: string, events: AuditEvent[], total: number, criteria: AuditEventCriteria, search: URLSearchParams): Bundle {
  const link = (offset: number) => {
    const params = new URLSearchParams([...search].filter(([name]) => name !== 'startIndex' && name !== '_count'));
    params.set('_count', String(criteria.count));
    params.set('startIndex', String(offset));
    return `${baseUrl}/AuditEvent?${params.toString()}`;
  };
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link: [
      { relation: 'self', url: link(criteria.offset) },
      ...(criteria.offset + events.length < total ? [{ relation: 'next', url: link(criteria.offset + criteria.count) }] : []),
    ],
    entry: events.map((event) => ({ fullUrl: `${baseUrl}/AuditEvent/${event.id}`, resource: event, search: { mode: 'match' } })),
  };
}
