import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One measured figure and the limit it is held to (if any), as written to the result file. */
export interface BenchFigure {
  /** What was measured, e.g. "authorization: refresh grant / bare Node http". */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The bound the figure must meet, and on which side. */
  readonly limit?: { readonly max?: number; readonly min?: number };
  /** The raw load result or other detail behind the figure. */
  readonly detail?: unknown;
}

/**
 * The figures of one `npm run bench` run. Written as JSON at the end (and if the run fails part
 * way, with what was measured until then), so that runs can be compared figure by figure.
 */
export class BenchResults {
  private readonly figures: BenchFigure[] = [];
  readonly startedAt = new Date();

  constructor(private readonly options: Record<string, unknown>) {}

  add(figure: BenchFigure): void {
    this.figures.push(figure);
  }

  /** Writes `<directory>/<start time>.json` and returns its path. */
  write(directory: string, extra: Record<string, unknown> = {}): string {
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, `${this.startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    const figures = this.figures.map((figure) => ({ ...figure, ...(figure.limit ? { met: meets(figure) } : {}) }));
    writeFileSync(file, `${JSON.stringify({ startedAt: this.startedAt.toISOString(), finishedAt: new Date().toISOString(), options: this.options, ...extra, figures }, null, 2)}\n`);
    return file;
  }
}

export function meets(figure: Pick<BenchFigure, 'value' | 'limit'>): boolean {
  if (!figure.limit) return true;
  if (!Number.isFinite(figure.value)) return false;
  return (figure.limit.max === undefined || figure.value <= figure.limit.max) && (figure.limit.min === undefined || figure.value >= figure.limit.min);
}
