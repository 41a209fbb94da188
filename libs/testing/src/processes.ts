import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the live processes whose parent is `pid` (Linux `/proc`): a service's `node:cluster` workers. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(parent) === pid && state !== 'Z' ? [Number(entry)] : [];
      } catch {
        return []; // exited meanwhile
      }
    });
}
