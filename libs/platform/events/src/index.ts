/**
 * @payer-access/events — the event bus port and its adapters, the transactional outbox and its
 * relay, idempotent-consumer helpers (docs/architecture.md#events).
 *
 * Wiring a service (Nest):
 * - data source: `entities: [...OUTBOX_ENTITIES]`, `migrations: [...OUTBOX_MIGRATIONS]` (publishers);
 *   `CONSUMED_EVENT_*` too for consumers whose effects go to the database (`ConsumedEvents`).
 * - `EventsModule.forRoot({ config: { brokers: KAFKA_BROKERS, databaseUrl, clientId, ...kafkaClientSecurity(config) }, topics, outboxRelay: {…} })`
 *   (without brokers the bus is the durable `PostgresEventBus` in `databaseUrl`; the one-process
 *   sandbox shares one bus through `bus:`): topics are ensured at init, consumers start at
 *   bootstrap, the relay stops before the bus at shutdown. `sasl` is the service's own Kafka
 *   principal: the broker's ACLs (tools/kafka/acls.conf) decide which topics it may write and read,
 *   and a topic's configs are left to the principal allowed to change them.
 * - publish: inside `dataSource.transaction(m => …)`, change the aggregate, then
 *   `outboxWriter.add(m, topic, key, event)`; the relay publishes after commit (LISTEN/NOTIFY).
 * - consume: in a provider's `onModuleInit`, `bus.subscribe({ topic, groupId, fromBeginning, handler })`
 *   with the handler wrapped in `versionedHandler` (projections; `instanceGroupId` when every
 *   instance rebuilds the whole projection) or `ConsumedEvents.once` (database effects); register
 *   `caughtUpCheck(subscription)` as a readiness check.
 * - work queues: `QueueWorker` works any table with the queue columns off after commit (claim with
 *   `FOR UPDATE SKIP LOCKED`, retry with backoff, purge); the outbox relay and the mail relay are two.
 * - metrics: `EventsModule.forRoot({ …, metrics: ServiceMetrics })` reports each Kafka subscription's
 *   lag per partition and the outbox backlog (`EventsMetrics`).
 */
export {
  EVENT_BUS,
  UnknownTopicError,
  CatchUpTimeoutError,
  type EventBus,
  type EventHandler,
  type EventHeaders,
  type IncomingEvent,
  type OutgoingEvent,
  type SubscribeOptions,
  type Subscription,
  type CatchUpOptions,
} from './event-bus';
export {
  CLIENT_CHANGED_TOPIC_SPEC,
  GRANT_REVOKED_TOPIC_SPEC,
  DEFAULT_MAX_TOKEN_LIFETIME_MS,
  clientChangedTopicSpec,
  grantRevokedTopicSpec,
  representativeRecordedTopicSpec,
  platformTopicSpecs,
  reconciledTopicConfig,
  REVOCATION_RETENTION_MARGIN_MS,
  deadLetterTopicOf,
  deadLetterTopicSpec,
  type TopicSpec,
  type ClientChangedTopicOptions,
  type GrantRevokedTopicOptions,
} from './topics';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export {
  consoleEventsLogger,
  nestEventsLogger,
  silentEventsLogger,
  type EventsLogger,
  type EventsLogLevel,
  type NestLikeLogger,
} from './events-logger';
export type { EventsMetrics, ConsumerPartition } from './events-metrics';
export { createEventBus, parseBrokers, instanceGroupId, type EventBusConfig } from './create-event-bus';
export { KafkaEventBus, isAuthorizationFailure, type KafkaEventBusOptions, type KafkaSaslCredentials } from './kafka/kafka-event-bus';
export { kafkaLogCreator } from './kafka/kafka-logger';
export { InProcessEventBus, type InProcessEventBusOptions } from './in-process/in-process-event-bus';
export { PostgresEventBus, type PostgresEventBusOptions } from './postgres/postgres-event-bus';
export { CreateEventLog1764590000000, EVENT_LOG_MIGRATIONS } from './postgres/event-log.migration';
export { OutboxMessage } from './outbox/outbox-message.entity';
export { CreateOutbox1763856000000, CreateConsumedEvent1763856000001 } from './outbox/outbox.migration';
export { OutboxWriter, OutboxOutsideTransactionError, outboxChannel } from './outbox/outbox-writer';
export { OutboxRelay, type OutboxRelayOptions, type RelayBatchResult } from './outbox/outbox-relay';
export { QueueWorker, type QueueWorkerOptions, type QueueClaim, type QueueOutcome, type QueueBatchResult, type QueuedRow } from './queue/queue-worker';
export { planPublication, type OutboxRowRef } from './outbox/publication-plan';
export {
  LatestVersionGate,
  RecentEventIds,
  versionedHandler,
  dedupedHandler,
  integerField,
  stringField,
  type VersionedHandlerOptions,
} from './consumers/idempotent-handler';
export { ConsumedEvent } from './consumers/consumed-event.entity';
export { ConsumedEvents } from './consumers/consumed-events';
export { CatchUpTracker, type PartitionStart } from './consumers/catch-up.tracker';
export { waitUntilCaughtUp, caughtUpCheck } from './consumers/wait-until-caught-up';
export { EventsModule, type EventsModuleOptions } from './events.module';
export {
  EVENT_SIGNATURE_HEADER,
  EventKeyError,
  EventKeyRing,
  EventSigner,
  canonicalJson,
  sandboxEventSigningJwk,
  type SignatureCheck,
} from './trust/event-signature';
export { TrustedEventBus, DEAD_LETTER_HEADERS, type EventTrustOptions } from './trust/trusted-event-bus';
export { EventRejectedError, DEAD_LETTER_REASONS, type DeadLetterReason } from './trust/event-rejected.error';
export { SecretSealer } from './trust/secret-sealing';
export { assertEventKeysConfigured, resolveEventTrust, sandboxEventSigner, sandboxProducers, type EventProducer, type EventKeySetting, type EventTrustSettings } from './trust/event-trust.config';

export { OUTBOX_ENTITIES, OUTBOX_MIGRATIONS, CONSUMED_EVENT_ENTITIES, CONSUMED_EVENT_MIGRATIONS } from './schema';
