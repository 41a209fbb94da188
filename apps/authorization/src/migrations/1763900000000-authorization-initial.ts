import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuthorizationInitial1763900000000 implements MigrationInterface {
  name = 'AuthorizationInitial1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE oidc_payload (
        kind text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        grant_id text,
        uid text,
        user_code text,
        expires_at timestamptz,
        consumed_at timestamptz,
        PRIMARY KEY (kind, id)
      )`);
    await queryRunner.query(`CREATE INDEX oidc_payload_grant_id_idx ON oidc_payload (grant_id)`);
    await queryRunner.query(`CREATE INDEX oidc_payload_uid_idx ON oidc_payload (uid)`);
    await queryRunner.query(`CREATE INDEX oidc_payload_expires_at_idx ON oidc_payload (expires_at)`);
    await queryRunner.query(`
      CREATE TABLE signing_key (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        private_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        activates_at timestamptz NOT NULL,
        expires_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE member_account (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        username_key text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        patient_id text NOT NULL,
        given_name text,
        family_name text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE login_throttle (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE member_grant (
        grant_id text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES member_account (id),
        client_id text NOT NULL,
        patient_id text NOT NULL,
        scope text NOT NULL,
        relationship text CHECK (relationship IN ('parent_or_guardian_of_minor', 'healthcare_power_of_attorney', 'court_ordered_guardianship', 'other')),
        relationship_text text,
        representative_name text,
        related_person_id text,
        withhold_demographics boolean NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await queryRunner.query(`CREATE INDEX member_grant_account_idx ON member_grant (account_id)`);
    await queryRunner.query(`CREATE INDEX member_grant_client_idx ON member_grant (client_id)`);
    await queryRunner.query(`
      CREATE TABLE oauth_client (
        client_id text PRIMARY KEY,
        client_version integer NOT NULL,
        status text NOT NULL,
        event jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE audit_event (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        action text NOT NULL,
        account_id uuid,
        client_id text,
        grant_id text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(`CREATE INDEX audit_event_grant_idx ON audit_event (grant_id)`);
    await queryRunner.query(`CREATE INDEX audit_event_account_idx ON audit_event (account_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_event', 'oauth_client', 'member_grant', 'login_throttle', 'member_account', 'signing_key', 'oidc_payload']) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
