import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Grant lifetimes follow the app's Blue Button data-access type.
 * - `member_grant.data_access_type`: the type in force when the member authorized.
 * - `member_grant.access_expires_at`: when access ends (refresh stops, or the one access token
 *   of a one-time grant expires); null while unknown or without end (research).
 * - `member_grant.expires_at` becomes nullable: a research grant has no last token.
 * Grants made before all had the refresh token's lifetime, which stays their end.
 */
export class GrantLifetimes1764590400010 implements MigrationInterface {
  name = 'GrantLifetimes1764590400010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE member_grant ADD COLUMN data_access_type text NOT NULL DEFAULT 'thirteen_month'`);
    await queryRunner.query(`ALTER TABLE member_grant ADD CONSTRAINT member_grant_data_access_type_check CHECK (data_access_type IN ('one_time', 'thirteen_month', 'research'))`);
    await queryRunner.query(`ALTER TABLE member_grant ADD COLUMN access_expires_at timestamptz`);
    await queryRunner.query(`UPDATE member_grant SET access_expires_at = expires_at`);
    await queryRunner.query(`ALTER TABLE member_grant ALTER COLUMN expires_at DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE member_grant SET expires_at = COALESCE(expires_at, access_expires_at, created_at)`);
    await queryRunner.query(`ALTER TABLE member_grant ALTER COLUMN expires_at SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE member_grant DROP COLUMN access_expires_at`);
    await queryRunner.query(`ALTER TABLE member_grant DROP CONSTRAINT member_grant_data_access_type_check`);
    await queryRunner.query(`ALTER TABLE member_grant DROP COLUMN data_access_type`);
  }
}
