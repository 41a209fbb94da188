/**
 * The kick-off parameters of a Group export (FHIR Bulk Data Access 2.0) this server supports:
 * `_type`, `_since` and `_outputFormat` (NDJSON only). Any other parameter is refused rather than
 * ignored, so a client never takes a partial export for the one it asked for.
 * https://hl7.org/fhir/uv/bulkdata/STU2/export.html#query-parameters
 */
export interface ExportRequest {
  /** The resource types to export, in the order of the client's `_type`, or every exportable type. */
  readonly types: readonly string[];
  /** Only resources changed at or after this instant. */
  readonly since?: Date;
}

export type ParsedExportRequest = { readonly ok: true; readonly request: ExportRequest } | { readonly ok: false; readonly problem: string };

/** `_outputFormat` values meaning NDJSON (the specification's abbreviations included). */
export const NDJSON_FORMATS: ReadonlySet<string> = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);

const SUPPORTED = new Set(['_type', '_since', '_outputFormat']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function parseExportRequest(query: Readonly<Record<string, unknown>>, exportableTypes: readonly string[]): ParsedExportRequest {
  for (const [name, value] of Object.entries(query)) {
    if (!SUPPORTED.has(name)) return { ok: false, problem: `Export parameter '${name.slice(0, 64)}' is not supported (supported: ${[...SUPPORTED].join(', ')})` };
    if (typeof value !== 'string') return { ok: false, problem: `Export parameter ${name} must be given once, as text` };
  }
  // A `+` the client did not percent-encode reaches us as a space.
  const format = (query._outputFormat as string | undefined)?.replace(/ /g, '+');
  if (format !== undefined && !NDJSON_FORMATS.has(format)) return { ok: false, problem: `_outputFormat '${format.slice(0, 64)}' is not supported; use application/fhir+ndjson` };
  let since: Date | undefined;
  if (query._since !== undefined) {
    const text = query._since as string;
    since = INSTANT.test(text) ? new Date(text) : undefined;
    if (since === undefined || Number.isNaN(since.getTime())) return { ok: false, problem: '_since must be a FHIR instant such as 2026-01-01T00:00:00Z' };
  }
  let types = [...exportableTypes];
  if (query._type !== undefined) {
    const asked = (query._type as string).split(',').map((type) => type.trim());
    const unknown = asked.find((type) => !exportableTypes.includes(type));
    if (unknown !== undefined) return { ok: false, problem: `_type '${unknown.slice(0, 64)}' cannot be exported from a Group (exportable: ${exportableTypes.join(', ')})` };
    types = [...new Set(asked)];
  }
  return { ok: true, request: { types, ...(since ? { since } : {}) } };
}
