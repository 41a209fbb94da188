import type { EntityManager } from 'typeorm';
import type { EventHeaders } from '../event-bus';

/** `pg_notify` channel on which a schema's outbox announces committed rows; LISTENed by its relays. */
export function outboxChannel(schema: string): string {
  return `payer_access_outbox_${schema}`;
}

export class OutboxOutsideTransactionError extends Error {
  constructor() {
    super('OutboxWriter.add() must run inside the transaction that makes the change it announces');
    this.name = 'OutboxOutsideTransactionError';
  }
}

/**
 * Adds events to the transactional outbox (docs/product.md#cross-service-revocation): the row commits
 * or rolls back with the caller's change, and the `OutboxRelay` publishes it afterwards.
 *
 * Per-key order is the order of the rows' ids. Change the aggregate (which locks its row) before
 * adding its event, so that two transactions on the same key take ids in commit order.
 */
export class OutboxWriter {
  /**
   * @param manager the `EntityManager` of the caller's transaction (`dataSource.transaction(m => …)`).
   * @returns the outbox row id.
   */
  async add(manager: EntityManager, topic: string, key: string, payload: object, headers: EventHeaders = {}): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) throw new OutboxOutsideTransactionError();
    // NOTIFY is delivered on commit and dropped on rollback: relays wake up exactly when a row becomes visible.
    const rows: Array<{ id: string }> = await manager.query(
      `WITH added AS (
         INSERT INTO outbox (topic, message_key, payload, headers) VALUES ($1, $2, $3::jsonb, $4::jsonb) RETURNING id
       )
       SELECT id, pg_notify('payer_access_outbox_' || current_schema(), '') FROM added`,
      [topic, key, JSON.stringify(payload), JSON.stringify(headers)],
    );
    return String(rows[0].id);
  }
}
