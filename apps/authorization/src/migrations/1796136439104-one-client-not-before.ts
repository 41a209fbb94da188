import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One cut-off per client. `tokens_revoked_before` (when this service applied a suspension) and the
 * event's `notBefore` (when registration committed it) meant the same thing and were checked apart;
 * `not_before` is now the later of the two, the only value the token checks read.
 */
export class OneClientNotBefore1796136439104 implements MigrationInterface {
  name = 'OneClientNotBefore1796136439104';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE oauth_client RENAME COLUMN tokens_revoked_before TO not_before`);
    await queryRunner.query(`UPDATE oauth_client SET not_before = GREATEST(not_before, (event->>'notBefore')::timestamptz) WHERE event ? 'notBefore'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE oauth_client RENAME COLUMN not_before TO tokens_revoked_before`);
  }
}
