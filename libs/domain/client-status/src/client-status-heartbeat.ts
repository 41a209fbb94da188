import { FieldReader, type EventIssue, type EventRejection } from './field-reader';

/**
 * Registration's heartbeat on `registration.client.changed.v1`, under a key of its own that no
 * client id can take. Its `watermark` says: every client change committed before this instant was
 * already on the topic, ahead of this heartbeat. A consumer that has applied the heartbeat (and so,
 * reading the partition in order, everything before it) holds every client's status as of the
 * watermark. That is how FHIR and authorization know how current their view is (bounded staleness).
 */
export interface ClientStatusHeartbeatV1 {
  type: typeof CLIENT_STATUS_HEARTBEAT_TYPE;
  version: 1;
  watermark: string;
}

export const CLIENT_STATUS_HEARTBEAT_TYPE = 'registration.client-status.heartbeat';
/** Registration's client ids are letters and digits (and the sandbox's fixed ones), never this: the heartbeat is kept apart from every client. */
export const CLIENT_STATUS_HEARTBEAT_KEY = '~registration.heartbeat';

export function createClientStatusHeartbeat(watermark: Date): ClientStatusHeartbeatV1 {
  return { type: CLIENT_STATUS_HEARTBEAT_TYPE, version: 1, watermark: watermark.toISOString() };
}

export type ClientStatusHeartbeatParseResult =
  | { readonly ok: true; readonly heartbeat: ClientStatusHeartbeatV1 }
  | { readonly ok: false; readonly rejection: EventRejection };

/** Checks a JSON value against {@link ClientStatusHeartbeatV1}, reporting every problem. */
export function parseClientStatusHeartbeat(value: unknown): ClientStatusHeartbeatParseResult {
  const issues: EventIssue[] = [];
  const root = FieldReader.of(value, '$', issues);
  if (root === undefined) return { ok: false, rejection: { code: 'invalid_event', issues } };
  root.literal('type', CLIENT_STATUS_HEARTBEAT_TYPE);
  root.literal('version', 1);
  const heartbeat: ClientStatusHeartbeatV1 = { type: CLIENT_STATUS_HEARTBEAT_TYPE, version: 1, watermark: root.instant('watermark') };
  return issues.length > 0 ? { ok: false, rejection: { code: 'invalid_event', issues } } : { ok: true, heartbeat };
}

/**
 * How current a consumer's view of client statuses is: as of the latest heartbeat watermark it
 * applied. A watermark ahead of the consumer's clock counts as now (a producer clock running fast
 * must not buy freshness), and an older heartbeat never sets the view back. With a bound of 0 the
 * view is never called stale (a service run alone in a test, without registration).
 */
export class ClientStatusFreshness {
  private currentAsOfMs: number | undefined;

  constructor(
    /** The oldest the view may be before tokens are refused; 0 turns the check off. */
    readonly maxStalenessMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an applied heartbeat; returns whether it made the view more current. */
  record(heartbeat: ClientStatusHeartbeatV1): boolean {
    const watermark = Math.min(Date.parse(heartbeat.watermark), this.now());
    if (this.currentAsOfMs !== undefined && watermark <= this.currentAsOfMs) return false;
    this.currentAsOfMs = watermark;
    return true;
  }

  /** The instant (ms) the view is current as of; undefined before the first heartbeat. */
  currentAsOf(): number | undefined {
    return this.currentAsOfMs;
  }

  /** How old the view is (ms); infinite before the first heartbeat. */
  ageMs(): number {
    return this.currentAsOfMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, this.now() - this.currentAsOfMs);
  }

  /** Whether tokens must be refused: the view is older than the bound (and the bound is on). */
  isStale(): boolean {
    return this.maxStalenessMs > 0 && this.ageMs() > this.maxStalenessMs;
  }

  /** What to put in `Retry-After` when stale: a heartbeat is due within the bound, so at most that. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.min(30, Math.ceil(this.maxStalenessMs / 1000 / 4)));
  }
}
