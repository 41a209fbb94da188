import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PostgreSQL event log (`PostgresEventBus`): one schema owned by the events library, shared by
 * every service of the process, tracked by its own `migrations` table. Table names are unqualified:
 * the bus's data source sets `search_path` to the log's schema.
 */
export class CreateEventLog1764590000000 implements MigrationInterface {
  name = 'CreateEventLog1764590000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE topic (
        name text PRIMARY KEY,
        num_partitions integer NOT NULL CHECK (num_partitions > 0),
        config jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The row of a partition is the publishers' lock: offsets are handed out, and become visible,
    // strictly in order, so a reader never sees offset n+1 before offset n.
    await runner.query(`
      CREATE TABLE topic_partition (
        topic text NOT NULL REFERENCES topic (name) ON DELETE CASCADE,
        partition integer NOT NULL,
        next_offset bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (topic, partition)
      )`);
    // Keys are bytes on Kafka; bytea takes any string. Values and headers are JSON text, not jsonb,
    // so that every subscriber parses exactly what was published ("\\u0000" included).
    await runner.query(`
      CREATE TABLE event (
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        key bytea NOT NULL,
        value text NOT NULL,
        headers text NOT NULL DEFAULT '{}',
        timestamp_ms bigint NOT NULL,
        PRIMARY KEY (topic, partition, "offset"),
        FOREIGN KEY (topic, partition) REFERENCES topic_partition (topic, partition) ON DELETE CASCADE
      )`);
    await runner.query(`CREATE INDEX event_key_idx ON event (topic, partition, key, "offset")`);
    await runner.query(`CREATE INDEX event_timestamp_idx ON event (topic, timestamp_ms)`);
    await runner.query(`
      CREATE TABLE group_offset (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        committed bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic, partition)
      )`);
    await runner.query(`CREATE INDEX group_offset_updated_at_idx ON group_offset (updated_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE group_offset`);
    await runner.query(`DROP TABLE event`);
    await runner.query(`DROP TABLE topic_partition`);
    await runner.query(`DROP TABLE topic`);
  }
}

export const EVENT_LOG_MIGRATIONS = [CreateEventLog1764590000000];
