/** An outbox row as far as ordering is concerned. Ids are int8 as decimal strings. */
export interface OutboxRowRef {
  id: string;
  topic: string;
  key: string;
}

function keyOf(row: OutboxRowRef): string {
  return `${row.topic}\u0000${row.key}`;
}

function byId(a: OutboxRowRef, b: OutboxRowRef): number {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Which of the rows this relay has locked it may publish now without breaking per-key order.
 *
 * `locked`: rows this relay holds (due for an attempt). `unsent`: every unsent row, locked by anyone
 * or waiting for its backoff, of the same (topic, key)s with an id up to the largest locked one.
 * A key's locked rows are publishable while they are the oldest unsent rows of that key, one after
 * another: a row held by another relay, or an older row still backing off, stops the key there.
 * Returns the publishable rows in id order.
 */
export function planPublication<T extends OutboxRowRef>(locked: readonly T[], unsent: readonly OutboxRowRef[]): T[] {
  const lockedById = new Map(locked.map((row) => [row.id, row]));
  const unsentByKey = new Map<string, OutboxRowRef[]>();
  for (const row of [...unsent].sort(byId)) {
    const rows = unsentByKey.get(keyOf(row));
    if (rows) rows.push(row);
    else unsentByKey.set(keyOf(row), [row]);
  }
  const publishable: T[] = [];
  for (const rows of unsentByKey.values()) {
    for (const row of rows) {
      const mine = lockedById.get(row.id);
      if (!mine) break;
      publishable.push(mine);
    }
  }
  return publishable.sort(byId);
}

/** Splits rows (in id order) by topic, keeping their order within each topic. */
export function groupByTopic<T extends OutboxRowRef>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.topic);
    if (group) group.push(row);
    else groups.set(row.topic, [row]);
  }
  return groups;
}
