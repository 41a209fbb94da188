import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialRegistrationSchema1763900000000 implements MigrationInterface {
  name = 'InitialRegistrationSchema1763900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE account (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        name text NOT NULL,
        organization text NOT NULL,
        phone text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('developer', 'payer', 'staff')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX account_email_key ON account (lower(email))`);
    await runner.query(`
      CREATE TABLE registration (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('application', 'payer')),
        owner_id uuid NOT NULL REFERENCES account (id),
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'suspended', 'terminated')),
        name text NOT NULL,
        company_name text NOT NULL,
        company_url text NOT NULL,
        privacy_policy_url text NOT NULL,
        terms_url text,
        logo_url text,
        redirect_uris text[] NOT NULL,
        client_type text NOT NULL CHECK (client_type IN ('confidential', 'public')),
        contact_email text NOT NULL,
        contact_phone text NOT NULL,
        document_email text,
        attestations jsonb NOT NULL,
        client_id text UNIQUE,
        secret_hash text,
        secret_issued_at timestamptz,
        client_version int NOT NULL DEFAULT 0,
        review_clock_started_at timestamptz NOT NULL DEFAULT now(),
        information_requested_at timestamptz,
        review_requested_at timestamptz,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        row_version int NOT NULL DEFAULT 1,
        CHECK (client_type = 'confidential' OR secret_hash IS NULL)
      )`);
    await runner.query(`CREATE INDEX registration_owner_idx ON registration (owner_id, submitted_at)`);
    await runner.query(`CREATE INDEX registration_queue_idx ON registration (status, kind, submitted_at)`);
    await runner.query(`
      CREATE TABLE registration_history (
        id bigserial PRIMARY KEY,
        registration_id uuid NOT NULL REFERENCES registration (id),
        action text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        reason text,
        actor_id uuid,
        actor_email text,
        actor_role text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX registration_history_registration_idx ON registration_history (registration_id, id)`);
    await runner.query(`
      CREATE TABLE login_failure (
        subject text PRIMARY KEY,
        failures int NOT NULL,
        window_started_at timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE login_failure');
    await runner.query('DROP TABLE registration_history');
    await runner.query('DROP TABLE registration');
    await runner.query('DROP TABLE account');
  }
}
