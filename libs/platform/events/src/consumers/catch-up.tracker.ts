import { CatchUpTimeoutError } from '../event-bus';

/** A partition as seen when a subscription starts. Offsets are decimal strings; `committed` '-1' = none. */
export interface PartitionStart {
  partition: number;
  /** High-water mark: the offset the next event will get. */
  high: string;
  /** Oldest offset still retained. */
  low: string;
  /** The group's committed offset (next event to read), if the group has one. */
  committed?: string;
}

/**
 * Tracks whether a subscription has handled everything its topic held when it started
 * (docs/architecture.md#events: the FHIR service is not ready until its status cache has caught up).
 * Pure bookkeeping: the adapters feed it watermarks and handled offsets.
 */
export class CatchUpTracker {
  private readonly pending = new Map<number, bigint>();
  private started = false;
  private waiters: Array<() => void> = [];

  /** Sets the targets: for each partition, the high-water mark as of now. */
  start(partitions: readonly PartitionStart[], options: { fromBeginning: boolean }): void {
    if (this.started) return;
    this.started = true;
    for (const { partition, high, low, committed } of partitions) {
      const target = BigInt(high);
      const committedOffset = committed !== undefined && committed !== '-1' ? BigInt(committed) : undefined;
      if (target <= BigInt(low)) continue; // nothing retained to read
      if (committedOffset !== undefined && committedOffset >= target) continue; // the group is already past it
      if (committedOffset === undefined && !options.fromBeginning) continue; // starts at the end by definition
      this.pending.set(partition, target);
    }
    this.settle();
  }

  /** The handler succeeded for the event at `offset`. */
  handled(partition: number, offset: string): void {
    const target = this.pending.get(partition);
    if (target !== undefined && BigInt(offset) + 1n >= target) {
      this.pending.delete(partition);
      this.settle();
    }
  }

  /**
   * Retention or compaction removed everything up to the target (the consumer will never see an
   * event at or past it before new ones arrive): the partition counts as caught up.
   */
  lowWatermarks(partitions: ReadonlyArray<Pick<PartitionStart, 'partition' | 'low'>>): void {
    for (const { partition, low } of partitions) {
      const target = this.pending.get(partition);
      if (target !== undefined && BigInt(low) >= target) this.pending.delete(partition);
    }
    this.settle();
  }

  isCaughtUp(): boolean {
    return this.started && this.pending.size === 0;
  }

  /** Partitions still being read, with their targets (for diagnostics). */
  remaining(): Array<{ partition: number; target: string }> {
    return [...this.pending].map(([partition, target]) => ({ partition, target: target.toString() }));
  }

  wait(topic: string, groupId: string, timeoutMs?: number): Promise<void> {
    if (this.isCaughtUp()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          reject(new CatchUpTimeoutError(topic, groupId, timeoutMs));
        }, timeoutMs);
      }
    });
  }

  private settle(): void {
    if (!this.isCaughtUp()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
