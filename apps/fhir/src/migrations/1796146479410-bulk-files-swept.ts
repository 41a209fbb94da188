import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `bulk_job.files_swept_at`: when the sweep deleted the files of a job that ended (cancelled,
 * failed, expired), so that it deletes each job's files once instead of at every sweep. Jobs that
 * ended more than a day ago had already been swept (the sweep used to look back one day).
 */
export class BulkFilesSwept1796146479410 implements MigrationInterface {
  name = 'BulkFilesSwept1796146479410';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE bulk_job ADD COLUMN files_swept_at timestamptz`);
    await runner.query(
      `UPDATE bulk_job SET files_swept_at = now()
        WHERE status = 'expired' OR (status IN ('cancelled', 'failed') AND completed_at <= now() - interval '1 day')`,
    );
    await runner.query(`CREATE INDEX bulk_job_unswept ON bulk_job (created_at) WHERE status IN ('cancelled', 'failed', 'expired') AND files_swept_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX bulk_job_unswept`);
    await runner.query(`ALTER TABLE bulk_job DROP COLUMN files_swept_at`);
  }
}
