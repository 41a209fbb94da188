import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registration.jwks` and `registration.jwks_uri`: the public keys a payer signs its
 * token-endpoint assertions with (SMART Backend Services). A registration names its keys inline
 * or by URL, never both.
 */
export class PayerClientKeys1796300000000 implements MigrationInterface {
  name = 'PayerClientKeys1796300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE registration ADD COLUMN jwks jsonb, ADD COLUMN jwks_uri text`);
    await runner.query(`ALTER TABLE registration ADD CONSTRAINT registration_keys_one_form CHECK (jwks IS NULL OR jwks_uri IS NULL)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE registration DROP CONSTRAINT registration_keys_one_form`);
    await runner.query(`ALTER TABLE registration DROP COLUMN jwks_uri, DROP COLUMN jwks`);
  }
}
