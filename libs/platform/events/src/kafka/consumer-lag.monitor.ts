import type { Admin } from 'kafkajs';
import type { ConsumerPartition, EventsMetrics } from '../events-metrics';

export interface ConsumerLagTarget {
  topic: string;
  groupId: string;
  /** Where a group without committed offsets starts (its position before it handles anything). */
  fromBeginning: boolean;
}

/**
 * The lag of one subscription on each partition assigned to it: the partition's high watermark
 * minus the offset the group handles next. Each handled event and each fetched batch (which
 * carries the watermark) update it at once; a periodic look at the broker's watermarks and the
 * group's committed offsets makes it grow while a handler is stuck, and keeps it right when idle.
 */
export class ConsumerLagMonitor {
  private readonly assigned = new Set<number>();
  /** Next offset to handle, per partition. */
  private readonly position = new Map<number, bigint>();
  private readonly high = new Map<number, bigint>();
  private timer: NodeJS.Timeout | undefined;
  /**
   * Set by `stop` for good: a consumer kafkajs restarts after its subscription closed may still
   * report a group join, and refreshing then would connect a fresh admin client that nothing ever
   * disconnects, keeping the process alive.
   */
  private stopped = false;

  constructor(
    private readonly target: ConsumerLagTarget,
    private readonly metrics: EventsMetrics,
    private readonly admin: () => Promise<Admin>,
    private readonly refreshIntervalMs: number,
  ) {}

  /** The partitions the group gave this consumer (kafkajs GROUP_JOIN). */
  assign(partitions: readonly number[]): void {
    if (this.stopped) return;
    const now = new Set(partitions);
    for (const partition of this.assigned) {
      if (now.has(partition)) continue;
      // Another instance reads it now and reports its lag; this one's figure would go stale.
      this.assigned.delete(partition);
      this.position.delete(partition);
      this.metrics.forgetConsumerLag(this.labels(partition));
    }
    for (const partition of now) this.assigned.add(partition);
    this.startRefreshing();
    void this.refresh();
  }

  /** A fetched batch was processed (kafkajs END_BATCH_PROCESS). */
  batchProcessed(partition: number, highWatermark: string, lastOffset: string): void {
    this.advance(this.high, partition, BigInt(highWatermark));
    this.advance(this.position, partition, BigInt(lastOffset) + 1n);
    this.report(partition);
  }

  handled(partition: number, offset: string): void {
    this.advance(this.position, partition, BigInt(offset) + 1n);
    this.report(partition);
  }

  /** Reads the broker's high watermarks and the group's committed offsets. Failures keep the last figures. */
  async refresh(): Promise<void> {
    if (this.stopped || this.assigned.size === 0) return;
    try {
      const admin = await this.admin();
      const [watermarks, committed] = await Promise.all([
        admin.fetchTopicOffsets(this.target.topic),
        admin.fetchOffsets({ groupId: this.target.groupId, topics: [this.target.topic] }),
      ]);
      const committedByPartition = new Map(committed[0]?.partitions.map((entry) => [entry.partition, BigInt(entry.offset)]) ?? []);
      for (const { partition, high, low } of watermarks) {
        if (!this.assigned.has(partition)) continue;
        this.advance(this.high, partition, BigInt(high));
        const offset = committedByPartition.get(partition) ?? -1n;
        // No committed offset yet: the consumer starts at the oldest retained event, or at the end.
        const start = offset >= 0n ? offset : this.target.fromBeginning ? BigInt(low) : BigInt(high);
        this.advance(this.position, partition, start);
        this.report(partition);
      }
    } catch {
      // The broker is away; the consumer reports that itself. The figures update when it returns.
    }
  }

  /** The subscription closed: its series go, since nothing here reads those partitions any more. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const partition of this.assigned) this.metrics.forgetConsumerLag(this.labels(partition));
    this.assigned.clear();
    this.position.clear();
    this.high.clear();
  }

  private startRefreshing(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.refreshIntervalMs);
    this.timer.unref();
  }

  /** Watermarks and positions only move forward; an older answer arriving late changes nothing. */
  private advance(values: Map<number, bigint>, partition: number, value: bigint): void {
    const current = values.get(partition);
    if (current === undefined || value > current) values.set(partition, value);
  }

  private report(partition: number): void {
    if (!this.assigned.has(partition)) return;
    const high = this.high.get(partition);
    const position = this.position.get(partition);
    if (high === undefined || position === undefined) return;
    this.metrics.consumerLag(this.labels(partition), Number(high > position ? high - position : 0n));
  }

  private labels(partition: number): ConsumerPartition {
    return { topic: this.target.topic, group: this.target.groupId, partition };
  }
}
