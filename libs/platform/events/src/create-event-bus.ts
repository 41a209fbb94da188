import type { EventBus } from './event-bus';
import type { EventsLogger } from './events-logger';
import { InProcessEventBus } from './in-process/in-process-event-bus';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka/kafka-event-bus';

export interface EventBusConfig extends Partial<Omit<KafkaEventBusOptions, 'brokers' | 'clientId' | 'logger'>> {
  /** `KAFKA_BROKERS`, comma-separated; empty or unset selects the in-process bus (sandbox only). */
  brokers?: string | readonly string[];
  clientId: string;
  logger?: EventsLogger;
}

export function parseBrokers(brokers: string | readonly string[] | undefined): string[] {
  const list = typeof brokers === 'string' ? brokers.split(',') : [...(brokers ?? [])];
  return list.map((broker) => broker.trim()).filter((broker) => broker.length > 0);
}

/** Kafka when brokers are configured, else the in-process bus (docs/architecture.md#run-modes). */
export function createEventBus(config: EventBusConfig): EventBus {
  const brokers = parseBrokers(config.brokers);
  if (brokers.length === 0) return new InProcessEventBus({ logger: config.logger, handlerBackoff: config.handlerBackoff });
  return new KafkaEventBus({ ...config, brokers, clientId: config.clientId, logger: config.logger });
}

/** A consumer group of its own for this process, for projections every instance keeps whole. */
export function instanceGroupId(base: string, instance = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`): string {
  return `${base}.${instance}`;
}
