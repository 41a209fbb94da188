import type { EventHandler, IncomingEvent } from '../event-bus';

/**
 * "Last version per key wins" for projections (docs/architecture.md#events): remembers the highest
 * version applied per key, so a redelivered event, a duplicate published by the outbox relay, or an
 * older event read during a replay is recognised and dropped. In memory: right for projections that
 * are rebuilt by reading a compacted topic from the beginning at every start.
 */
export class LatestVersionGate<K = string> {
  private readonly versions = new Map<K, number>();

  /** Whether an event carrying `version` for `key` is newer than anything applied. */
  isNewer(key: K, version: number): boolean {
    const known = this.versions.get(key);
    return known === undefined || version > known;
  }

  /** Records that `version` of `key` has been applied (never moves backwards). */
  record(key: K, version: number): void {
    const known = this.versions.get(key);
    if (known === undefined || version > known) this.versions.set(key, version);
  }

  versionOf(key: K): number | undefined {
    return this.versions.get(key);
  }

  get size(): number {
    return this.versions.size;
  }

  clear(): void {
    this.versions.clear();
  }
}

export interface VersionedHandlerOptions<T> {
  gate: LatestVersionGate<string>;
  /**
   * The event's version for its key; undefined when the event carries none it can be trusted
   * for (malformed), in which case the handler sees it and decides.
   */
  version: (event: IncomingEvent<T>) => number | undefined;
  /** The key to version; default the message key. */
  key?: (event: IncomingEvent<T>) => string;
  /** Called for each dropped event (metrics, tests). */
  onDropped?: (event: IncomingEvent<T>, knownVersion: number) => void;
}

/**
 * Wraps a handler so that it only sees events newer than the last one it applied for their key.
 * The version is recorded after the handler succeeds: a failed event is retried, not dropped.
 */
export function versionedHandler<T>(options: VersionedHandlerOptions<T>, handler: EventHandler<T>): EventHandler<T> {
  const keyOf = options.key ?? ((event: IncomingEvent<T>) => event.key);
  return async (event) => {
    const version = options.version(event);
    if (version === undefined) return handler(event);
    const key = keyOf(event);
    if (!options.gate.isNewer(key, version)) {
      options.onDropped?.(event, options.gate.versionOf(key) as number);
      return;
    }
    await handler(event);
    options.gate.record(key, version);
  };
}

/**
 * The ids of the most recent events seen, up to `capacity` (oldest forgotten first). Catches the
 * duplicates at-least-once delivery produces, which arrive close to the original, for events that
 * have an id but no per-key version.
 */
export class RecentEventIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}

/** Wraps a handler so that an event id it has handled recently is not handled again. */
export function dedupedHandler<T>(
  options: { seen: RecentEventIds; eventId: (event: IncomingEvent<T>) => string | undefined },
  handler: EventHandler<T>,
): EventHandler<T> {
  return async (event) => {
    const id = options.eventId(event);
    if (id !== undefined && options.seen.has(id)) return;
    await handler(event);
    if (id !== undefined) options.seen.add(id);
  };
}

/** Reads `value[field]` when it is a string (e.g. `eventId`), for `dedupedHandler`. */
export function stringField(field: string): (event: IncomingEvent) => string | undefined {
  return (event) => {
    const value = event.value;
    if (typeof value !== 'object' || value === null) return undefined;
    const found = (value as Record<string, unknown>)[field];
    return typeof found === 'string' ? found : undefined;
  };
}

/** Reads `value[field]` when it is a safe integer (e.g. `clientVersion`), for `versionedHandler`. */
export function integerField(field: string): (event: IncomingEvent) => number | undefined {
  return (event) => {
    const value = event.value;
    if (typeof value !== 'object' || value === null) return undefined;
    const found = (value as Record<string, unknown>)[field];
    return typeof found === 'number' && Number.isSafeInteger(found) ? found : undefined;
  };
}
