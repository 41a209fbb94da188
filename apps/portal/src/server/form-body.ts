import type { IncomingMessage } from 'node:http';

export class BadForm extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Forms are small: the longest answer the API takes is a 4000-character review request. */
export const MAX_FORM_BYTES = 64 * 1024;

/**
 * Reads an `application/x-www-form-urlencoded` body: anything else, or more than MAX_FORM_BYTES,
 * is refused before it is parsed. A field sent twice keeps its first value.
 */
export async function readForm(request: IncomingMessage, maxBytes = MAX_FORM_BYTES): Promise<Record<string, string>> {
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new BadForm(415, 'Forms are sent as application/x-www-form-urlencoded.');
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BadForm(413, 'The form is too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BadForm(413, 'The form is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const form: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) if (!(key in form)) form[key] = value;
  return form;
}
