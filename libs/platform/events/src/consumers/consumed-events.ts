import type { DataSource, EntityManager } from 'typeorm';

/**
 * Exactly-once database effects for at-least-once delivery: the event id is recorded in
 * `consumed_event` in the same transaction as the effects, so a redelivered event finds its id
 * and changes nothing. Needs `CreateConsumedEvent1763856000001` among the service's migrations.
 */
export class ConsumedEvents {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `apply` in a transaction unless `consumer` already consumed `eventId`.
   * @returns false for a duplicate (nothing was run).
   */
  async once(consumer: string, eventId: string, apply: (manager: EntityManager) => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO consumed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
        [consumer, eventId],
      );
      if (inserted.length === 0) return false;
      await apply(manager);
      return true;
    });
  }

  /** Forgets ids older than `olderThanMs` (longer than any redelivery could be late). Returns how many. */
  async purge(olderThanMs: number): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM consumed_event WHERE consumed_at < now() - $1 * interval '1 millisecond'`,
      [olderThanMs],
    );
    return result[1];
  }
}
