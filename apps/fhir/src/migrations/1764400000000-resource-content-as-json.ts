import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps each resource's JSON as written (`json`, validated on input) instead of `jsonb`. Reads and
 * searches send the stored text straight to the client: `json` is output as stored, while `jsonb`
 * is rebuilt into text on every read, which cost PostgreSQL about three times as much per resource
 * and dominated its share of a search page. Search values live in the index tables, so nothing
 * queries inside the column's binary form.
 */
export class ResourceContentAsJson1764400000000 implements MigrationInterface {
  name = 'ResourceContentAsJson1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE resource ALTER COLUMN content TYPE json USING content::json`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE resource ALTER COLUMN content TYPE jsonb USING content::jsonb`);
  }
}
