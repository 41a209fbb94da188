import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email verification and the second factor of portal accounts.
 *
 * - `account.email_verified_at`: accounts that exist already were created before verification was
 *   asked for (staff from configuration, the sandbox's own accounts, earlier sign-ups), so they count
 *   as verified; new sign-ups start unverified.
 * - `email_verification`: single-use links, stored as the SHA-256 of a 256-bit random token.
 * - `account.totp_secret` (sealed JWE, never plain), `totp_enabled_at` (null while enrolling) and
 *   `totp_last_step` (the last accepted RFC 6238 time step: a code is not accepted twice).
 * - `recovery_code`: SHA-256 of each random recovery code; `used_at` set once, atomically.
 */
export class AccountVerificationSecondFactor1796136418709 implements MigrationInterface {
  name = 'AccountVerificationSecondFactor1796136418709';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE account ADD COLUMN email_verified_at timestamptz`);
    await runner.query(`UPDATE account SET email_verified_at = created_at`);
    await runner.query(`
      CREATE TABLE email_verification (
        token_hash text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX email_verification_account_idx ON email_verification (account_id, created_at)`);
    await runner.query(`ALTER TABLE account ADD COLUMN totp_secret text, ADD COLUMN totp_enabled_at timestamptz, ADD COLUMN totp_last_step bigint`);
    await runner.query(`
      CREATE TABLE recovery_code (
        account_id uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        used_at timestamptz,
        PRIMARY KEY (account_id, code_hash)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE recovery_code`);
    await runner.query(`DROP TABLE email_verification`);
    await runner.query(`ALTER TABLE account DROP COLUMN totp_last_step, DROP COLUMN totp_enabled_at, DROP COLUMN totp_secret, DROP COLUMN email_verified_at`);
  }
}
