import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each resource's sensitivity labels (`system|code` of its `meta.security` that make it sensitive),
 * in a column of their own so that a grant withholding sensitive data is filtered in SQL, in every
 * page, total and include, rather than after the fact. Stored resources get theirs from the JSON.
 * The label list is fixed here as it stood when the column was added; later writes take theirs
 * from `sensitivityLabelsOf`.
 */
const LABELS = [
  ['http://terminology.hl7.org/CodeSystem/v3-Confidentiality', ['R', 'V']],
  [
    'http://terminology.hl7.org/CodeSystem/v3-ActCode',
    ['ETH', 'SUD', 'PSY', 'PSYTHPN', 'BH', 'MH', 'HIV', 'SDV', 'SEX', 'STD', 'SICKLE', 'GDIS', 'TBOO', '42CFRPart2'],
  ],
] as const;

export class ResourceSecurityLabels1796500000000 implements MigrationInterface {
  name = 'ResourceSecurityLabels1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE resource ADD COLUMN security_labels text[] NOT NULL DEFAULT '{}'`);
    const known = LABELS.flatMap(([system, codes]) => codes.map((code) => `${system}|${code}`));
    await runner.query(
      `UPDATE resource SET security_labels = ARRAY(
         SELECT DISTINCT (s->>'system') || '|' || (s->>'code') FROM json_array_elements(content->'meta'->'security') s
         WHERE (s->>'system') || '|' || (s->>'code') = ANY($1::text[]) ORDER BY 1)
       WHERE json_typeof(content->'meta'->'security') = 'array'`,
      [known],
    );
    // Few resources are labelled: the partial index finds them (for audits and re-labelling) without
    // weighing on the bulk load of the rest.
    await runner.query(`CREATE INDEX resource_security_labels_idx ON resource USING gin (security_labels) WHERE security_labels <> '{}'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX resource_security_labels_idx`);
    await runner.query(`ALTER TABLE resource DROP COLUMN security_labels`);
  }
}
