import type { QueryParameter } from './search-request.model';

/**
 * Percent-encodes a query name or value, leaving readable the characters RFC 3986 allows in a
 * query (`:` `/` `,` `@`) so links look like seed 002's (`patient=Patient/-19990000000001`).
 * `+`, `&`, `=`, `#`, `|` and spaces stay encoded, so the link decodes to exactly what was parsed.
 * https://www.rfc-editor.org/rfc/rfc3986#section-3.4
 */
export function encodeQueryComponent(text: string): string {
  const encoded = encodeURIComponent(text);
  // Most names and values (`_count`, `10`, ids) have nothing to restore.
  return encoded.includes('%') ? encoded.replace(READABLE_ESCAPES, (escape) => READABLE[escape.toUpperCase()]) : encoded;
}

const READABLE_ESCAPES = /%(3A|2F|2C|40)/gi;
const READABLE: Readonly<Record<string, string>> = { '%3A': ':', '%2F': '/', '%2C': ',', '%40': '@' };

/** `[base]/[type]?name=value&...`, with a trailing slash on the base tolerated. */
export function formatSearchUrl(
  baseUrl: string,
  resourceType: string,
  parameters: readonly QueryParameter[],
): string {
  const query = formatSearchQuery(parameters);
  const path = `${baseUrl.replace(/\/+$/, '')}/${resourceType}`;
  return query !== '' ? `${path}?${query}` : path;
}

/** `name=value&...`, encoded as in {@link formatSearchUrl}; empty without parameters. */
export function formatSearchQuery(parameters: readonly QueryParameter[]): string {
  return parameters.map(({ name, value }) => `${encodeQueryComponent(name)}=${encodeQueryComponent(value)}`).join('&');
}
