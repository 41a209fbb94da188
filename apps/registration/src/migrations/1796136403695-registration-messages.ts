import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registration_message`: the thread between a registration's owner and plan staff. Staff's
 * information requests are messages of kind `information_request`; everything else is `message`.
 * Append-only; `seq` orders the thread and is the paging cursor.
 */
export class RegistrationMessages1796136403695 implements MigrationInterface {
  name = 'RegistrationMessages1796136403695';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE registration_message (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        registration_id uuid NOT NULL REFERENCES registration (id),
        kind text NOT NULL CHECK (kind IN ('message', 'information_request')),
        author_role text NOT NULL CHECK (author_role IN ('owner', 'admin')),
        author_id uuid,
        author_email text,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX registration_message_thread_idx ON registration_message (registration_id, seq)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE registration_message');
  }
}
