import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The member's choice, at consent, to withhold sensitive data (records labelled substance use under
 * 42 CFR Part 2, HIV, mental health, reproductive health...) from an app. Grants recorded before
 * the choice existed shared everything, as the consent page then said.
 */
export class MemberGrantWithholdSensitive1764590400002 implements MigrationInterface {
  name = 'MemberGrantWithholdSensitive1764590400002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE member_grant ADD COLUMN withhold_sensitive boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE member_grant DROP COLUMN withhold_sensitive`);
  }
}
