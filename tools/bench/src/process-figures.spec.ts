import { cpuMsOf, sampleProcess } from './process-figures';

describe(cpuMsOf.name, () => {
  it('adds utime and stime, counting fields after a command name with spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 11 0 100 1000 200';
    expect(cpuMsOf(stat)).toBe(2870);
  });
});

describe(sampleProcess.name, () => {
  it('reads this process: a resident set no larger than its peak, CPU time that grows with work', () => {
    const before = sampleProcess(process.pid);
    const until = performance.now() + 100;
    while (performance.now() < until);
    const after = sampleProcess(process.pid);
    expect(before.rssMb).toBeGreaterThan(10);
    expect(after.peakRssMb).toBeGreaterThanOrEqual(after.rssMb);
    expect(after.cpuMs - before.cpuMs).toBeGreaterThanOrEqual(50);
  });
});
