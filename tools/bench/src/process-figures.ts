import { readFileSync } from 'node:fs';
import { childrenOf } from '@payer-access/testing';

/** What the kernel says about one process: memory now and at its peak, CPU time used so far. */
export interface ProcessSample {
  readonly rssMb: number;
  /** The high-water mark of the resident set since the process started (VmHWM). */
  readonly peakRssMb: number;
  /** User + system CPU time since the process started. */
  readonly cpuMs: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Reads `/proc/<pid>/status` and `/proc/<pid>/stat` (Linux only, as the bench host is). */
export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: round(kb('VmRSS') / 1024), peakRssMb: round(kb('VmHWM') / 1024), cpuMs: cpuMsOf(readFileSync(`/proc/${pid}/stat`, 'utf8')) };
}

/**
 * A process and its children together (a service running `node:cluster` workers): memory and CPU
 * time summed, the peak as the sum of each process's own peak (an upper bound).
 */
export function sampleProcessTree(pid: number): ProcessSample {
  const samples = [pid, ...childrenOf(pid)].flatMap((each) => {
    try {
      return [sampleProcess(each)];
    } catch {
      return []; // exited meanwhile
    }
  });
  const sum = (pick: (sample: ProcessSample) => number) => round(samples.reduce((total, sample) => total + pick(sample), 0));
  return { rssMb: sum((sample) => sample.rssMb), peakRssMb: sum((sample) => sample.peakRssMb), cpuMs: sum((sample) => sample.cpuMs) };
}

/** utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line, in milliseconds. */
export function cpuMsOf(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
