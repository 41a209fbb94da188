import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { BadForm, readForm } from './form-body';

function request(body: string | Buffer, headers: Record<string, string>): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as IncomingMessage;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' };

describe('readForm', () => {
  it('parses fields, keeping the first of repeated ones, and odd Unicode and NUL bytes as data', async () => {
    const form = await readForm(request('name=A%00b&name=second&emoji=%F0%9F%98%80&bad=%E0%A4%A', FORM));
    expect(form.name).toBe('A\u0000b');
    expect(form.emoji).toBe('😀');
    expect(typeof form.bad).toBe('string');
    expect(Object.getPrototypeOf(form)).toBeNull();
  });

  it('does not let a field named __proto__ reach the prototype', async () => {
    const form = await readForm(request('__proto__=x&constructor=y', FORM));
    expect(form['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses other content types (415) and oversized bodies (413), declared or not', async () => {
    await expect(readForm(request('{}', { 'content-type': 'application/json' }))).rejects.toMatchObject({ status: 415 });
    await expect(readForm(request('a=1', {}))).rejects.toBeInstanceOf(BadForm);
    await expect(readForm(request('a=1', { ...FORM, 'content-length': '999999' }), 100)).rejects.toMatchObject({ status: 413 });
    await expect(readForm(request(`a=${'x'.repeat(200)}`, FORM), 100)).rejects.toMatchObject({ status: 413 });
  });
});
