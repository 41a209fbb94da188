import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Private signing keys are stored sealed with a key-encryption key from configuration. Existing
 * plaintext keys are sealed by the service at its next start (a migration has no access to the key).
 */
export class SigningKeyEnvelope1764590400001 implements MigrationInterface {
  name = 'SigningKeyEnvelope1764590400001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE signing_key ADD COLUMN encrypted_private_jwk text`);
    await queryRunner.query(`ALTER TABLE signing_key ALTER COLUMN private_jwk DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE signing_key ADD CONSTRAINT signing_key_has_private_key CHECK (private_jwk IS NOT NULL OR encrypted_private_jwk IS NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Sealed keys cannot be opened here: drop them; the service creates new ones at start.
    await queryRunner.query(`DELETE FROM signing_key WHERE private_jwk IS NULL`);
    await queryRunner.query(`ALTER TABLE signing_key DROP CONSTRAINT signing_key_has_private_key`);
    await queryRunner.query(`ALTER TABLE signing_key ALTER COLUMN private_jwk SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE signing_key DROP COLUMN encrypted_private_jwk`);
  }
}
