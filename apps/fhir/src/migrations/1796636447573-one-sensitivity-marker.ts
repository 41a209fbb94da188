import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One sensitivity marker: `security_labels`. The payer links' `sensitive` flag and the member's
 * withhold-sensitive choice used two label lists; the payer's knew `ETHUD`, `OPIOIDUD` and `DV`,
 * the member's `TBOO` and `42CFRPart2`. Both now read `security_labels` through one condition, so
 * resources carrying only a label of the payer's list get it added here, then the flag goes.
 * The labels are fixed as they stand in `sensitivityLabelsOf` today.
 */
const LABELS = [
  ['http://terminology.hl7.org/CodeSystem/v3-Confidentiality', ['R', 'V']],
  [
    'http://terminology.hl7.org/CodeSystem/v3-ActCode',
    ['ETH', 'ETHUD', 'OPIOIDUD', 'SUD', 'PSY', 'PSYTHPN', 'BH', 'MH', 'HIV', 'SDV', 'DV', 'SEX', 'STD', 'SICKLE', 'GDIS', 'TBOO', '42CFRPart2'],
  ],
] as const;

const ADDED = ['ETHUD', 'OPIOIDUD', 'DV'].map((code) => `http://terminology.hl7.org/CodeSystem/v3-ActCode|${code}`);

// Migrations sort by timestamp: this one must follow PayerLinks1796600000000, which added the flag.
export class OneSensitivityMarker1796636447573 implements MigrationInterface {
  name = 'OneSensitivityMarker1796636447573';

  async up(runner: QueryRunner): Promise<void> {
    const known = LABELS.flatMap(([system, codes]) => codes.map((code) => `${system}|${code}`));
    await runner.query(
      `UPDATE resource SET security_labels = ARRAY(
         SELECT DISTINCT (s->>'system') || '|' || (s->>'code') FROM json_array_elements(content->'meta'->'security') s
         WHERE (s->>'system') || '|' || (s->>'code') = ANY($1::text[]) ORDER BY 1)
       WHERE json_typeof(content->'meta'->'security') = 'array'
         AND EXISTS (SELECT 1 FROM json_array_elements(content->'meta'->'security') s WHERE (s->>'system') || '|' || (s->>'code') = ANY($2::text[]))`,
      [known, ADDED],
    );
    await runner.query(`ALTER TABLE resource DROP COLUMN sensitive`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE resource ADD COLUMN sensitive boolean NOT NULL DEFAULT false`);
    await runner.query(`UPDATE resource SET sensitive = true WHERE security_labels <> '{}'`);
  }
}
