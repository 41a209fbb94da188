import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registration.pending_change`: identity and redirect changes an owner asks for on an approved or
 * suspended registration. They wait there, out of the client's published state, until staff
 * approve or reject them; the values in force stay in their own columns meanwhile.
 */
export class RegistrationPendingChange1796100000000 implements MigrationInterface {
  name = 'RegistrationPendingChange1796100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE registration ADD COLUMN pending_change jsonb`);
    // The review queue lists registrations with a change waiting; few have one at any time.
    await runner.query(`CREATE INDEX registration_pending_change_idx ON registration ((pending_change->>'requestedAt')) WHERE pending_change IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX registration_pending_change_idx`);
    await runner.query(`ALTER TABLE registration DROP COLUMN pending_change`);
  }
}
