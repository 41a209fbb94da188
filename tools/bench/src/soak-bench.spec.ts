import { slope, type MemorySample } from './soak-bench';

const at = (t: number, rssMb: number): MemorySample => ({ t, rssMb, rssAnonMb: 0, rssFileMb: 0, heapUsedMb: 0, heapTotalMb: 0, externalMb: 0 });

describe(slope.name, () => {
  it('is the least-squares slope per second, so a sawtooth around a level is flat', () => {
    expect(slope([at(0, 100), at(60, 160), at(120, 220)], (sample) => sample.rssMb) * 60).toBeCloseTo(60);
    const sawtooth = Array.from({ length: 120 }, (_, index) => at(index * 5, 250 + (index % 2 === 0 ? 20 : -20)));
    expect(Math.abs(slope(sawtooth, (sample) => sample.rssMb) * 60)).toBeLessThan(0.5);
  });

  it('is 0 without two samples at different times', () => {
    expect(slope([] as MemorySample[], (sample) => sample.rssMb)).toBe(0);
    expect(slope([at(5, 300)], (sample) => sample.rssMb)).toBe(0);
    expect(slope([at(5, 300), at(5, 310)], (sample) => sample.rssMb)).toBe(0);
  });
});
