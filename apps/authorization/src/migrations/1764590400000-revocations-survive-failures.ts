import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revocations that hold when something fails halfway.
 * - `oauth_client.tokens_revoked_before`: access tokens without a grant (client credentials) are
 *   revoked by time; a suspension or termination voids every token of the client issued before
 *   it, reinstated or not.
 * - `oidc_payload.revoked_reason`: a Grant the provider revokes stays as a tombstone carrying the
 *   reason until the revocation is recorded and announced, so a failed recording is retried.
 */
export class RevocationsSurviveFailures1764590400000 implements MigrationInterface {
  name = 'RevocationsSurviveFailures1764590400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE oauth_client ADD COLUMN tokens_revoked_before timestamptz`);
    await queryRunner.query(`ALTER TABLE oidc_payload ADD COLUMN revoked_reason text`);
    await queryRunner.query(`CREATE INDEX oidc_payload_revoked_grant_idx ON oidc_payload (id) WHERE kind = 'Grant' AND revoked_reason IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX oidc_payload_revoked_grant_idx`);
    await queryRunner.query(`ALTER TABLE oidc_payload DROP COLUMN revoked_reason`);
    await queryRunner.query(`ALTER TABLE oauth_client DROP COLUMN tokens_revoked_before`);
  }
}
