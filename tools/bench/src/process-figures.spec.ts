import { spawn } from 'node:child_process';
import { childrenOf } from '@payer-access/testing';
import { cpuMsOf, sampleProcess, sampleProcessTree } from './process-figures';

describe(cpuMsOf.name, () => {
  it('adds utime and stime, counting fields after a command name with spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 11 0 100 1000 200';
    expect(cpuMsOf(stat)).toBe(2870);
  });
});

describe(sampleProcess.name, () => {
  it('reads this process: a resident set no larger than its peak, CPU time that grows with work', () => {
    const before = sampleProcess(process.pid);
    // 100 ms of CPU time by the process's own account, however busy the host.
    const started = process.cpuUsage();
    while ((process.cpuUsage(started).user + process.cpuUsage(started).system) / 1000 < 100);
    const after = sampleProcess(process.pid);
    expect(before.rssMb).toBeGreaterThan(10);
    expect(after.peakRssMb).toBeGreaterThanOrEqual(after.rssMb);
    // /proc counts in 10 ms ticks.
    expect(after.cpuMs - before.cpuMs).toBeGreaterThanOrEqual(80);
  });
});

describe(sampleProcessTree.name, () => {
  it('adds the children of a process to it', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(childrenOf(process.pid)).toContain(child.pid);
      const alone = sampleProcess(process.pid);
      const tree = sampleProcessTree(process.pid);
      expect(tree.rssMb).toBeGreaterThan(alone.rssMb);
      expect(tree.cpuMs).toBeGreaterThanOrEqual(alone.cpuMs);
    } finally {
      child.kill();
    }
  });
});
