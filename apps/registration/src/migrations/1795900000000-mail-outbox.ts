import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates `mail_outbox`: notification emails written in the transaction of the change they announce
 * and sent afterwards by the MailService relay. Rows carry only what the templates put in a mail
 * (never a client secret).
 */
export class MailOutbox1795900000000 implements MigrationInterface {
  name = 'MailOutbox1795900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE mail_outbox (
        id bigserial PRIMARY KEY,
        recipient text NOT NULL,
        subject text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        last_error text
      )`);
    // Partial: holds only unsent rows, so it stays small however many sent rows are kept.
    await runner.query(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL`);
    await runner.query(`CREATE INDEX mail_outbox_sent_at_idx ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE mail_outbox`);
  }
}
