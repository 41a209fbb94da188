import type { Resource } from '@medplum/fhirtypes';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { recordDateOf } from '../store/record-date';

const BATCH = 1000;

/**
 * The labels that made a resource sensitive to a payer when this column was added, frozen here: the
 * column is replaced by `security_labels` in OneSensitivityMarker.
 */
const SENSITIVE_LABELS: ReadonlySet<string> = new Set([
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R',
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|V',
  ...['ETH', 'ETHUD', 'OPIOIDUD', 'HIV', 'PSY', 'PSYTHPN', 'MH', 'SDV', 'SEX', 'STD', 'GDIS', 'SICKLE', 'SUD', 'BH', 'DV'].map(
    (code) => `http://terminology.hl7.org/CodeSystem/v3-ActCode|${code}`,
  ),
]);

function isSensitive(resource: Resource): boolean {
  const security: unknown = resource.meta?.security;
  if (!Array.isArray(security)) return false;
  return security.some((coding: { system?: unknown; code?: unknown } | null) => typeof coding === 'object' && coding !== null && SENSITIVE_LABELS.has(`${String(coding.system)}|${String(coding.code)}`));
}

/**
 * Payer-to-Payer: the members a payer reached by `$member-match`, with the consent's policy and
 * period, and on each resource the two facts a payer's compartment filters on, its own date (the
 * five-year look-back) and whether a security label makes it sensitive. Stored resources get both
 * here, computed by the same code as new writes.
 */
export class PayerLinks1796600000000 implements MigrationInterface {
  name = 'PayerLinks1796600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE payer_link (
        client_id text NOT NULL,
        patient_id text NOT NULL,
        consent_policy text NOT NULL CHECK (consent_policy IN ('all', 'non-sensitive')),
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL CHECK (period_end > period_start),
        matched_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        PRIMARY KEY (client_id, patient_id)
      )`);
    await runner.query(`ALTER TABLE resource ADD COLUMN record_date timestamptz, ADD COLUMN sensitive boolean NOT NULL DEFAULT false`);
    for (let after = '0'; ; ) {
      const rows: { seq: string; content: Resource }[] = await runner.query(`SELECT seq::text, content FROM resource WHERE seq > $1 ORDER BY seq LIMIT ${BATCH}`, [after]);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].seq;
      const dated = rows.map((row) => ({ seq: row.seq, date: recordDateOf(row.content)?.toISOString() ?? null, sensitive: isSensitive(row.content) }));
      await runner.query(
        `UPDATE resource r SET record_date = u.date, sensitive = u.sensitive
         FROM unnest($1::bigint[], $2::timestamptz[], $3::boolean[]) AS u(seq, date, sensitive) WHERE r.seq = u.seq`,
        [dated.map((row) => row.seq), dated.map((row) => row.date), dated.map((row) => row.sensitive)],
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE resource DROP COLUMN record_date, DROP COLUMN sensitive`);
    await runner.query(`DROP TABLE payer_link`);
  }
}
