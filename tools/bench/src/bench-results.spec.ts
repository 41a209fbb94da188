import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BenchResults, meets } from './bench-results';

describe(BenchResults.name, () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes every figure with its limit and whether it was met', () => {
    const results = new BenchResults({ seconds: 10 });
    results.add({ name: 'refresh grant / bare', value: 0.12, unit: 'ratio', limit: { min: 0.1 } });
    results.add({ name: 'refresh grant CPU per request', value: 1.4, unit: 'ms', limit: { max: 1 } });
    results.add({ name: 'authorization resting RSS', value: 180, unit: 'MB' });
    const file = results.write(directory, { host: 'test' });
    const written = JSON.parse(readFileSync(file, 'utf8')) as { options: unknown; host: string; figures: { name: string; met?: boolean }[] };
    expect(path.dirname(file)).toBe(directory);
    expect(written.options).toEqual({ seconds: 10 });
    expect(written.host).toBe('test');
    expect(written.figures.map((figure) => [figure.name, figure.met])).toEqual([
      ['refresh grant / bare', true],
      ['refresh grant CPU per request', false],
      ['authorization resting RSS', undefined],
    ]);
  });
});

describe(meets.name, () => {
  it('holds a figure to both sides of its limit and fails one that was not measured', () => {
    expect(meets({ value: 5, limit: { min: 1, max: 5 } })).toBe(true);
    expect(meets({ value: 0.5, limit: { min: 1 } })).toBe(false);
    expect(meets({ value: Number.NaN, limit: { max: 1 } })).toBe(false);
  });
});
