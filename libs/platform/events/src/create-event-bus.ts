import type { EventBus } from './event-bus';
import type { EventsLogger } from './events-logger';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka/kafka-event-bus';
import { PostgresEventBus } from './postgres/postgres-event-bus';

export interface EventBusConfig extends Partial<Omit<KafkaEventBusOptions, 'brokers' | 'clientId' | 'logger'>> {
  /** `KAFKA_BROKERS`, comma-separated; empty or unset selects the PostgreSQL log of `databaseUrl`. */
  brokers?: string | readonly string[];
  /** The database that holds the event log when no brokers are configured (the services' own). */
  databaseUrl?: string;
  clientId: string;
  logger?: EventsLogger;
}

export function parseBrokers(brokers: string | readonly string[] | undefined): string[] {
  const list = typeof brokers === 'string' ? brokers.split(',') : [...(brokers ?? [])];
  return list.map((broker) => broker.trim()).filter((broker) => broker.length > 0);
}

/**
 * Kafka when brokers are configured, else the durable PostgreSQL log (docs/architecture.md#run-modes).
 * The in-memory `InProcessEventBus` is never chosen here: it loses every event at exit, so only
 * unit tests construct it themselves.
 */
export function createEventBus(config: EventBusConfig): EventBus {
  const brokers = parseBrokers(config.brokers);
  if (brokers.length > 0) return new KafkaEventBus({ ...config, brokers, clientId: config.clientId, logger: config.logger });
  if (config.databaseUrl) return new PostgresEventBus({ databaseUrl: config.databaseUrl, logger: config.logger, handlerBackoff: config.handlerBackoff });
  throw new Error('No event bus configured: set KAFKA_BROKERS, or give a database URL for the PostgreSQL event log');
}

/** A consumer group of its own for this process, for projections every instance keeps whole. */
export function instanceGroupId(base: string, instance = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`): string {
  return `${base}.${instance}`;
}
