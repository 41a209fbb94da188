import { logLevel, type logCreator, type LogEntry } from 'kafkajs';
import type { EventsLogger } from '../events-logger';

/**
 * Fields of kafkajs log entries that are safe to pass on. Anything else (request payloads when
 * protocol debugging is on, message batches in some debug entries) is dropped: event values may
 * carry client data, and no log may ever carry PHI.
 */
const SAFE_FIELDS = new Set([
  'broker',
  'clientId',
  'groupId',
  'memberId',
  'leaderId',
  'generationId',
  'topic',
  'topics',
  'partition',
  'partitions',
  'offset',
  'retryCount',
  'retryTime',
  'correlationId',
  'size',
  'host',
  'port',
  'nodeId',
  'producerId',
  'isExpectedError',
]);

export function safeKafkaLogFields(entry: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entry)) {
    if (SAFE_FIELDS.has(name) && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      fields[name] = value;
    }
  }
  const error = entry['error'];
  if (error !== undefined) fields['error'] = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
  return fields;
}

/** Layers whose errors kafkajs retries itself (a broker restarting, a coordinator loading). */
const RETRIED_BY_KAFKAJS = new Set(['Connection', 'BrokerPool']);
/** Deliberate (see KafkaEventBus' producer): not worth a warning at every start. */
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

/**
 * A kafkajs `logCreator` writing to an `EventsLogger`. kafkajs INFO is chatty (joins, heartbeats),
 * so it becomes debug; errors that kafkajs retries itself become warnings.
 */
export function kafkaLogCreator(logger: EventsLogger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...rest } = log;
      const fields = { namespace, ...safeKafkaLogFields(rest) };
      const text = `kafkajs ${message}`;
      if (level === logLevel.ERROR) {
        if (RETRIED_BY_KAFKAJS.has(namespace) || message.startsWith('Restarting the consumer')) logger.warn(text, fields);
        else logger.error(text, fields);
      } else if (level === logLevel.WARN) {
        if (message.startsWith(BOUNDED_RETRIES_WARNING)) logger.debug(text, fields);
        else logger.warn(text, fields);
      }
      else if (level === logLevel.INFO) logger.debug(text, fields);
      else if (level === logLevel.DEBUG) logger.debug(text, fields);
    };
}
