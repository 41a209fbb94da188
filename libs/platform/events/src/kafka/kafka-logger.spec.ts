import { logLevel } from 'kafkajs';
import type { EventsLogger } from '../events-logger';
import { kafkaLogCreator, safeKafkaLogFields } from './kafka-logger';

function recordingLogger() {
  const entries: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, message, fields });
    };
  const logger: EventsLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, entries };
}

describe(safeKafkaLogFields.name, () => {
  it('keeps metadata and drops anything that could carry an event payload', () => {
    const fields = safeKafkaLogFields({
      broker: '127.0.0.1:9092',
      topic: 'registration.client.changed.v1',
      partition: 0,
      payload: { messages: [{ value: '{"name":"Jane Doe"}' }] },
      messages: [{ value: 'member data' }],
      request: { topicData: [] },
      error: new Error('The coordinator is loading'),
      stack: 'Error: at …',
    });
    expect(fields).toEqual({ broker: '127.0.0.1:9092', topic: 'registration.client.changed.v1', partition: 0, error: 'The coordinator is loading' });
  });
});

describe(kafkaLogCreator.name, () => {
  const log = (creator: ReturnType<typeof kafkaLogCreator>, level: logLevel, namespace: string, message: string, extra: Record<string, unknown> = {}) =>
    creator(logLevel.INFO)({ namespace, level, label: '', log: { timestamp: 'now', message, ...extra } });

  it('maps levels: info → debug, retried connection errors → warn, other errors stay errors', () => {
    const { logger, entries } = recordingLogger();
    const creator = kafkaLogCreator(logger);
    log(creator, logLevel.INFO, 'Consumer', 'Starting', { groupId: 'g' });
    log(creator, logLevel.ERROR, 'Connection', 'Response Metadata', { broker: 'b' });
    log(creator, logLevel.ERROR, 'BrokerPool', 'Failed to connect to seed broker');
    log(creator, logLevel.ERROR, 'Consumer', 'Crash: KafkaJSError', { groupId: 'g' });
    log(creator, logLevel.WARN, 'Producer', 'Limiting retries for the idempotent producer may invalidate EoS guarantees');
    expect(entries.map((entry) => [entry.level, entry.message])).toEqual([
      ['debug', 'kafkajs Starting'],
      ['warn', 'kafkajs Response Metadata'],
      ['warn', 'kafkajs Failed to connect to seed broker'],
      ['error', 'kafkajs Crash: KafkaJSError'],
      ['debug', 'kafkajs Limiting retries for the idempotent producer may invalidate EoS guarantees'],
    ]);
    expect(entries[0].fields).toEqual({ namespace: 'Consumer', groupId: 'g' });
  });
});
