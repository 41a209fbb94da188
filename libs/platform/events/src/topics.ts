import { CLIENT_CHANGED_TOPIC, GRANT_REVOKED_TOPIC, REPRESENTATIVE_RECORDED_TOPIC } from '@payer-access/client-status';

/** A topic and the settings it is created with (`EventBus.ensureTopics`). */
export interface TopicSpec {
  readonly name: string;
  readonly numPartitions: number;
  /** Omitted: the cluster's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /** Topic-level Kafka configs (https://kafka.apache.org/documentation/#topicconfigs). */
  readonly config: Readonly<Record<string, string>>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface ClientChangedTopicOptions {
  numPartitions?: number;
  replicationFactor?: number;
  /** Extra or overriding topic configs. */
  config?: Record<string, string>;
}

/**
 * `registration.client.changed.v1`, keyed by client_id and compacted: the latest event of every
 * client is kept forever, so a consumer that reads from the start rebuilds every client's state
 * (docs/architecture.md#events).
 */
export function clientChangedTopicSpec(options: ClientChangedTopicOptions = {}): TopicSpec {
  return {
    name: CLIENT_CHANGED_TOPIC,
    numPartitions: options.numPartitions ?? 1,
    replicationFactor: options.replicationFactor,
    config: {
      'cleanup.policy': 'compact',
      // The active segment is never compacted; rolling daily bounds how much history a replay reads.
      'segment.ms': String(DAY_MS),
      // Keep a minute of full history so that a consumer a little behind still sees every transition.
      'min.compaction.lag.ms': String(MINUTE_MS),
      'min.cleanable.dirty.ratio': '0.1',
      // How long a tombstone (null value) survives; the platform publishes none today.
      'delete.retention.ms': String(DAY_MS),
      ...options.config,
    },
  };
}

export interface GrantRevokedTopicOptions {
  /**
   * The longest lifetime of an access token. A resource server denies a revoked grant's tokens
   * until they expire, so revocations are kept this long and then deleted. Default one hour.
   */
  maxTokenLifetimeMs?: number;
  numPartitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_MS = HOUR_MS;

/** `authorization.grant.revoked.v1`, keyed by grant id, deleted after the longest token lifetime. */
export function grantRevokedTopicSpec(options: GrantRevokedTopicOptions = {}): TopicSpec {
  const retentionMs = options.maxTokenLifetimeMs ?? DEFAULT_MAX_TOKEN_LIFETIME_MS;
  if (!Number.isSafeInteger(retentionMs) || retentionMs < MINUTE_MS) {
    throw new RangeError(`maxTokenLifetimeMs must be a whole number of milliseconds >= ${MINUTE_MS}, got ${retentionMs}`);
  }
  return {
    name: GRANT_REVOKED_TOPIC,
    numPartitions: options.numPartitions ?? 1,
    replicationFactor: options.replicationFactor,
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(retentionMs),
      // Whole segments are deleted; smaller ones let expired revocations go close to on time.
      'segment.ms': String(Math.min(retentionMs, HOUR_MS)),
      ...options.config,
    },
  };
}

/**
 * `authorization.representative.recorded.v1`, keyed by the RelatedPerson's id and compacted: every
 * representative's one event is kept for good, so a FHIR store rebuilt from empty gets them all
 * again by reading from the beginning.
 */
export function representativeRecordedTopicSpec(options: { numPartitions?: number; replicationFactor?: number } = {}): TopicSpec {
  return {
    name: REPRESENTATIVE_RECORDED_TOPIC,
    numPartitions: options.numPartitions ?? 1,
    replicationFactor: options.replicationFactor,
    config: { 'cleanup.policy': 'compact', 'segment.ms': String(DAY_MS), 'min.compaction.lag.ms': String(MINUTE_MS), 'delete.retention.ms': String(DAY_MS) },
  };
}

/** Where consumers park the events of `topic` they refuse (TrustedEventBus). */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * The dead-letter topic of a topic: refused events kept two weeks for staff to look into (a forged
 * event is evidence), then deleted.
 */
export function deadLetterTopicSpec(spec: Pick<TopicSpec, 'name' | 'replicationFactor'>): TopicSpec {
  return {
    name: deadLetterTopicOf(spec.name),
    numPartitions: 1,
    replicationFactor: spec.replicationFactor,
    config: { 'cleanup.policy': 'delete', 'retention.ms': String(14 * DAY_MS) },
  };
}

export const CLIENT_CHANGED_TOPIC_SPEC: TopicSpec = clientChangedTopicSpec();
export const GRANT_REVOKED_TOPIC_SPEC: TopicSpec = grantRevokedTopicSpec();

/** Clock differences between the issuer, the broker and resource servers that retention absorbs. */
export const REVOCATION_RETENTION_MARGIN_MS = 5 * MINUTE_MS;

/**
 * Every topic of the platform; what each service ensures at start. Every service passes the
 * platform's `ACCESS_TOKEN_TTL_SECONDS`, so revocations are kept as long as the tokens they deny
 * live (and a margin), whichever service starts first. Default: the setting's default, one hour.
 */
export function platformTopicSpecs(options: { accessTokenTtlSeconds?: number } = {}): TopicSpec[] {
  const lifetimeMs = (options.accessTokenTtlSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_MS / 1000) * 1000;
  return [
    clientChangedTopicSpec(),
    grantRevokedTopicSpec({ maxTokenLifetimeMs: lifetimeMs + REVOCATION_RETENTION_MARGIN_MS }),
    representativeRecordedTopicSpec(),
  ];
}

/**
 * Configs that only ever grow when an existing topic is brought to a spec: a service started with
 * a shorter token lifetime (or an older version) must not shorten what others, or an operator,
 * decided to keep. `-1` is "forever".
 */
const GROW_ONLY_CONFIGS: ReadonlySet<string> = new Set(['retention.ms']);

/**
 * The configs to apply to an existing topic whose current values are `actual`: the spec's, except
 * that a grow-only config keeps its current value when that is larger.
 */
export function reconciledTopicConfig(spec: TopicSpec, actual: ReadonlyMap<string, string | undefined>): Record<string, string> {
  const config: Record<string, string> = { ...spec.config };
  for (const name of GROW_ONLY_CONFIGS) {
    const wanted = config[name];
    const current = actual.get(name);
    if (wanted === undefined || current === undefined || !/^-?\d+$/.test(current)) continue;
    if (current === '-1' || (wanted !== '-1' && Number(current) > Number(wanted))) config[name] = current;
  }
  return config;
}
