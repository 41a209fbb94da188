import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adds `login_failure.last_attempt_at`: a staff account past its failure limit is slowed (each
 * attempt waits a growing time after the previous one) rather than locked for the whole window.
 */
export class LoginFailureLastAttempt1796100000001 implements MigrationInterface {
  name = 'LoginFailureLastAttempt1796100000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE login_failure ADD COLUMN last_attempt_at timestamptz NOT NULL DEFAULT now()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE login_failure DROP COLUMN last_attempt_at`);
  }
}
