import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marks which clients have been announced in the current event form (signed by registration, the
 * secret hash sealed). Every existing client starts unmarked: `ClientRepublisher` publishes each
 * once more at start, since consumers now refuse the unsigned events already on the topic.
 */
export class ClientEventsSigned1796000000000 implements MigrationInterface {
  name = 'ClientEventsSigned1796000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE registration ADD COLUMN client_events_signed boolean NOT NULL DEFAULT false`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE registration DROP COLUMN client_events_signed`);
  }
}
