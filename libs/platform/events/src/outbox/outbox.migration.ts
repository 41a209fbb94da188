import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates the `outbox` table of `OutboxMessage`. Each service that publishes through the outbox
 * lists this class among its own migrations; table names are unqualified, so it lands in the
 * service's schema (the database library sets `search_path`).
 */
export class CreateOutbox1763856000000 implements MigrationInterface {
  name = 'CreateOutbox1763856000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Both partial: they hold only unsent rows, so they stay small however long sent rows are kept.
    await runner.query(`CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL`);
    await runner.query(`CREATE INDEX outbox_unsent_key_idx ON outbox (topic, message_key, id) WHERE sent_at IS NULL`);
    await runner.query(`CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE outbox`);
  }
}

/**
 * Creates `consumed_event`, which `ConsumedEvents` uses to apply an event's database effects
 * exactly once. Only services whose consumers write to their database need it.
 */
export class CreateConsumedEvent1763856000001 implements MigrationInterface {
  name = 'CreateConsumedEvent1763856000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE consumed_event (
        consumer text NOT NULL,
        event_id text NOT NULL,
        consumed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await runner.query(`CREATE INDEX consumed_event_consumed_at_idx ON consumed_event (consumed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE consumed_event`);
  }
}
