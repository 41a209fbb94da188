/**
 * A 400 from the registration API lists one message per invalid field, each starting with the
 * field's path ("redirectUris.1 must be ...", "attestations.sellsMemberData must be a boolean
 * value"). Forms show each next to its control; what names no known field stays at the top.
 */
export interface FieldErrors {
  byField: Map<string, string[]>;
  general: string[];
}

export function fieldErrors(messages: unknown, fields: readonly string[]): FieldErrors {
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  const list = Array.isArray(messages) ? messages : typeof messages === 'string' ? [messages] : [];
  const known = [...fields].sort((a, b) => b.length - a.length);
  for (const message of list) {
    if (typeof message !== 'string') continue;
    const path = message.split(' ', 1)[0];
    // Array items ("redirectUris.0") belong to their list's control.
    const field = known.find((name) => path === name || path.startsWith(`${name}.`));
    if (field) byField.set(field, [...(byField.get(field) ?? []), message]);
    else general.push(message);
  }
  return { byField, general };
}

export const NO_ERRORS: FieldErrors = { byField: new Map(), general: [] };
