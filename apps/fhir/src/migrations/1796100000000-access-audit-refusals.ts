import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The access audit also keeps refused requests: one without a token has no client or member, and
 * each refusal says why (`reason`). Staff search it by time alone too.
 */
export class AccessAuditRefusals1796100000000 implements MigrationInterface {
  name = 'AccessAuditRefusals1796100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE access_audit ALTER COLUMN client_id DROP NOT NULL, ALTER COLUMN subject DROP NOT NULL, ADD COLUMN reason text`);
    await runner.query(`CREATE INDEX access_audit_occurred_at_idx ON access_audit (occurred_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX access_audit_occurred_at_idx`);
    await runner.query(`DELETE FROM access_audit WHERE client_id IS NULL OR subject IS NULL`);
    await runner.query(`ALTER TABLE access_audit DROP COLUMN reason, ALTER COLUMN client_id SET NOT NULL, ALTER COLUMN subject SET NOT NULL`);
  }
}
