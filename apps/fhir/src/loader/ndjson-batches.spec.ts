import { type InputBatch, itemsOf } from './copy-batch';
import { ndjsonBatches } from './ndjson-loader';

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function collect<T>(values: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const value of values) collected.push(value);
  return collected;
}

const decoded = (batch: InputBatch) => ('ndjson' in batch ? Buffer.from(batch.ndjson).toString('utf8') : '');

describe('ndjsonBatches', () => {
  // Two-, three- and four-byte characters, a blank line, a CRLF line and a last line without a newline.
  const text = ['{"name":"Zoë"}', '', '{"name":"naïve ✓"}\r', '{"name":"😀"}', '   ', '{"last":true}'].join('\n');
  const bytes = Buffer.from(text, 'utf8');

  it.each([1, 2, 3, 5, 7, 64])('cuts batches at newlines whatever the chunk size (%i bytes)', async (size) => {
    const batches = await collect(ndjsonBatches(chunked(bytes, size), 2));
    expect(batches.map((batch) => ('firstLine' in batch ? [batch.firstLine, batch.count] : []))).toEqual([
      [1, 2],
      [3, 2],
      [5, 2],
    ]);
    // Every byte once, in order, and each batch decodes whole (no character cut in two).
    expect(batches.map(decoded).join('')).toBe(text);
    expect(batches.map(decoded).every((piece) => !piece.includes('\uFFFD'))).toBe(true);
  });

  it('numbers the lines of each batch from its first line and skips blank ones', async () => {
    const batches = await collect(ndjsonBatches(chunked(bytes, 4), 2));
    expect(batches.flatMap((batch) => itemsOf(batch))).toEqual([
      { line: 1, value: '{"name":"Zoë"}' },
      { line: 3, value: '{"name":"naïve ✓"}\r' },
      { line: 4, value: '{"name":"😀"}' },
      { line: 6, value: '{"last":true}' },
    ]);
  });

  it('counts no extra line after a final newline, and yields nothing for empty input', async () => {
    const batches = await collect(ndjsonBatches(chunked(Buffer.from('{"a":1}\n{"b":2}\n'), 3), 10));
    expect(batches.map((batch) => batch.count)).toEqual([2]);
    expect(await collect(ndjsonBatches(chunked(Buffer.alloc(0), 3), 10))).toEqual([]);
  });
});
