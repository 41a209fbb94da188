import { parseArgs } from 'node:util';
import { generateSyntheticData } from './synthetic-data.generator';
import { writeNdjson } from './ndjson.writer';

/**
 * `node -r @swc-node/register tools/synthetic-data/src/main.ts --out .data/synthetic --patients 1000 --eobs-per-patient 100`
 * writes the sandbox members plus that many synthetic patients as FHIR NDJSON, one file per type.
 * Load them with the fhir service's loader (apps/fhir/src/load.ts).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '.data/synthetic' },
      patients: { type: 'string', default: '8' },
      'eobs-per-patient': { type: 'string', default: '12' },
      seed: { type: 'string', default: '20140001' },
      // The day the payer-to-payer members' claims are dated back from (YYYY-MM-DD); today by default.
      'as-of': { type: 'string' },
      'no-clinical': { type: 'boolean', default: false },
    },
  });
  const asOf = values['as-of'] === undefined ? new Date() : new Date(`${values['as-of']}T00:00:00Z`);
  if (Number.isNaN(asOf.getTime())) throw new Error(`--as-of takes a date (YYYY-MM-DD), not ${values['as-of']}`);
  const started = performance.now();
  const report = await writeNdjson(
    generateSyntheticData({
      seed: Number(values.seed),
      extraPatients: Number(values.patients),
      eobsPerPatient: Number(values['eobs-per-patient']),
      clinical: !values['no-clinical'],
      asOf,
    }),
    values.out,
  );
  const seconds = (performance.now() - started) / 1000;
  const total = Object.values(report.counts).reduce((sum, count) => sum + count, 0);
  for (const [type, count] of Object.entries(report.counts)) process.stdout.write(`${type.padEnd(22)} ${count}\n`);
  process.stdout.write(`${total} resources in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s) -> ${values.out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
