import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One generic store for every R4 resource type, with the values of its search parameters extracted
 * at write time into four index tables, one per kind of comparison.
 *
 * `seq` is the insertion order: searches page in `seq` order, so resources added while a client
 * pages land after the pages it has seen (no gaps, no repeats). Updates keep their `seq`.
 * Index rows point at `seq`, which is smaller than (resource_type, id) and never changes.
 */
/**
 * Searches within a patient compartment start from the compartment index and check each candidate's
 * index rows by `(resource_seq, param)`; only the shared directory types are searched across the
 * whole store, so only their values get a value index (which keeps bulk loads fast).
 */
const SHARED = `'Practitioner', 'Organization', 'Location', 'PractitionerRole'`;

export class CreateResourceStore1732370000000 implements MigrationInterface {
  name = 'CreateResourceStore1732370000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE resource (
        seq bigserial PRIMARY KEY,
        resource_type text NOT NULL,
        id text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        last_updated timestamptz NOT NULL,
        patient_id text,
        content jsonb NOT NULL,
        CONSTRAINT resource_type_id_key UNIQUE (resource_type, id)
      )`);
    // A member's searches: every type in the compartment, in paging order. Every search of a member
    // starts here, so its cost depends on that member's record, not on the size of the store.
    await runner.query(`CREATE INDEX resource_compartment_idx ON resource (patient_id, resource_type, seq)`);
    // lz4 compresses resource JSON several times faster than the default pglz; servers built
    // without it keep pglz.
    await runner.query(`DO $$ BEGIN ALTER TABLE resource ALTER COLUMN content SET COMPRESSION lz4; EXCEPTION WHEN others THEN NULL; END $$`);

    await runner.query(`
      CREATE TABLE search_token (
        resource_seq bigint NOT NULL,
        resource_type text NOT NULL,
        param text NOT NULL,
        system text,
        code text NOT NULL
      )`);
    await runner.query(`CREATE INDEX search_token_resource_idx ON search_token (resource_seq, param)`);
    await runner.query(`CREATE INDEX search_token_value_idx ON search_token (resource_type, param, code, system) WHERE resource_type IN (${SHARED})`);

    await runner.query(`
      CREATE TABLE search_date (
        resource_seq bigint NOT NULL,
        resource_type text NOT NULL,
        param text NOT NULL,
        low timestamptz NOT NULL,
        high timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX search_date_resource_idx ON search_date (resource_seq, param)`);
    await runner.query(`CREATE INDEX search_date_value_idx ON search_date (resource_type, param, low, high) WHERE resource_type IN (${SHARED})`);

    await runner.query(`
      CREATE TABLE search_reference (
        resource_seq bigint NOT NULL,
        resource_type text NOT NULL,
        param text NOT NULL,
        target_type text,
        target_id text NOT NULL
      )`);
    await runner.query(`CREATE INDEX search_reference_resource_idx ON search_reference (resource_seq, param)`);
    await runner.query(`CREATE INDEX search_reference_value_idx ON search_reference (resource_type, param, target_id, target_type) WHERE resource_type IN (${SHARED})`);

    await runner.query(`
      CREATE TABLE search_string (
        resource_seq bigint NOT NULL,
        resource_type text NOT NULL,
        param text NOT NULL,
        value text NOT NULL
      )`);
    await runner.query(`CREATE INDEX search_string_resource_idx ON search_string (resource_seq, param)`);
    await runner.query(`CREATE INDEX search_string_value_idx ON search_string (resource_type, param, value text_pattern_ops) WHERE resource_type IN (${SHARED})`);

    // Who read what and when; never the data itself (PRODUCT: access audit).
    await runner.query(`
      CREATE TABLE access_audit (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        client_id text NOT NULL,
        subject text NOT NULL,
        patient_id text,
        representative boolean NOT NULL DEFAULT false,
        grant_id text,
        interaction text NOT NULL,
        resource_type text,
        resource_id text,
        query text,
        status integer NOT NULL,
        result_count integer
      )`);
    await runner.query(`CREATE INDEX access_audit_patient_idx ON access_audit (patient_id, occurred_at)`);
    await runner.query(`CREATE INDEX access_audit_client_idx ON access_audit (client_id, occurred_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['access_audit', 'search_string', 'search_reference', 'search_date', 'search_token', 'resource']) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
