/** One partition read by one consumer group. */
export interface ConsumerPartition {
  topic: string;
  group: string;
  partition: number;
}

/**
 * What the events library reports for monitoring. The library stays free of any metrics client: a
 * service passes an implementation (its Prometheus registry) through `EventsModule.forRoot({ metrics })`
 * or `KafkaEventBusOptions.metrics`.
 */
export interface EventsMetrics {
  /** Events the group has still to handle on a partition it reads: the high watermark minus its position. */
  consumerLag(partition: ConsumerPartition, lag: number): void;
  /** The partition is no longer read here (reassigned to another instance, or the subscription closed). */
  forgetConsumerLag(partition: ConsumerPartition): void;
  /** How to count the outbox rows not yet published; read whenever the metrics are collected. */
  outboxBacklog(count: () => Promise<number>): void;
  /** An event of `topic` was refused for good and parked on its dead-letter topic. */
  deadLettered?(topic: string, reason: string): void;
}
