import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registration.data_access_type`: how long a member's authorization of the app lasts (Blue
 * Button 2.0): one_time, thirteen_month (the default, which existing registrations get) or research.
 */
export class RegistrationDataAccessType1796300000010 implements MigrationInterface {
  name = 'RegistrationDataAccessType1796300000010';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE registration ADD COLUMN data_access_type text NOT NULL DEFAULT 'thirteen_month'`);
    await runner.query(
      `ALTER TABLE registration ADD CONSTRAINT registration_data_access_type_check CHECK (data_access_type IN ('one_time', 'thirteen_month', 'research'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE registration DROP CONSTRAINT registration_data_access_type_check`);
    await runner.query(`ALTER TABLE registration DROP COLUMN data_access_type`);
  }
}
