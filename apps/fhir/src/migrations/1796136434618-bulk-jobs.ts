import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk Payer-to-Payer: the asynchronous jobs of `$bulk-member-match` and `$export` (claimed by the
 * service's workers with `FOR UPDATE SKIP LOCKED`, held by a lease that a crashed instance lets
 * expire), and the member Groups a bulk match produces, owned by the payer that asked.
 */
export class BulkJobs1796136434618 implements MigrationInterface {
  name = 'BulkJobs1796136434618';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE bulk_job (
        id uuid PRIMARY KEY,
        client_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('member-match', 'export')),
        status text NOT NULL CHECK (status IN ('accepted', 'running', 'completed', 'failed', 'cancelled', 'expired')),
        request_url text NOT NULL,
        input jsonb NOT NULL,
        transaction_time timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        lease_owner text,
        lease_expires_at timestamptz,
        progress text,
        output jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        expires_at timestamptz
      )`);
    await runner.query(`CREATE INDEX bulk_job_due ON bulk_job (created_at) WHERE status IN ('accepted', 'running')`);
    await runner.query(`CREATE INDEX bulk_job_client ON bulk_job (client_id, created_at) WHERE status IN ('accepted', 'running', 'completed')`);
    await runner.query(`
      CREATE TABLE payer_group (
        id text PRIMARY KEY,
        client_id text NOT NULL,
        job_id uuid NOT NULL REFERENCES bulk_job (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('matched', 'non-matched', 'consent-constrained')),
        member_ids text[] NOT NULL,
        content json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX payer_group_client ON payer_group (client_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE payer_group`);
    await runner.query(`DROP TABLE bulk_job`);
  }
}
