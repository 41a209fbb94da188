import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { createDataSource, migrateDatabase } from '@payer-access/database';
import { FHIR_SCHEMA } from './app.module';
import { createFhirSearchRegistry } from './fhir-core.module';
import { FhirConfig } from './fhir.config';
import { NdjsonLoader } from './loader/ndjson-loader';
import { sensitiveCodesFrom } from './loader/sensitive-codes';
import { FHIR_MIGRATIONS } from './migrations';
import { ResourceRepository } from './store/resource.repository';
import { SearchIndexer } from './store/search-indexer';

/**
 * Loads FHIR NDJSON files (Bulk Data format) into the fhir schema:
 *   DATABASE_URL=postgres://... node -r @swc-node/register apps/fhir/src/load.ts Patient.ndjson ExplanationOfBenefit.ndjson
 * With no file, reads standard input. Prints progress, then the report of rejected lines.
 */
async function main(): Promise<void> {
  const config = loadStandaloneConfigOrExit(FhirConfig, { events: false });
  const dataSource = createDataSource({ url: config.DATABASE_URL, schema: FHIR_SCHEMA, migrations: FHIR_MIGRATIONS });
  await dataSource.initialize();
  try {
    await migrateDatabase(dataSource);
    const registry = createFhirSearchRegistry(config);
    const loader = new NdjsonLoader(new ResourceRepository(dataSource, new SearchIndexer(registry)), new Set(registry.resourceTypes), sensitiveCodesFrom(config.FHIR_SENSITIVE_CODES), {
      publicUrl: config.FHIR_PUBLIC_URL,
    });
    const files = process.argv.slice(2);
    const sources = files.length > 0 ? files.map((file) => ({ name: file, stream: createReadStream(file) })) : [{ name: 'stdin', stream: process.stdin }];
    for (const source of sources) {
      const report = await loader.loadNdjson(source.stream, {
        onProgress: (progress) => process.stdout.write(`${source.name}: ${progress.loaded} loaded, ${progress.rejected} rejected, ${progress.resourcesPerSecond}/s\n`),
      });
      process.stdout.write(
        `${source.name}: ${report.loaded} of ${report.read} loaded in ${(report.milliseconds / 1000).toFixed(1)} s (${report.resourcesPerSecond} resources/s), ${report.rejected} rejected\n`,
      );
      for (const rejection of report.rejections) process.stdout.write(`  line ${rejection.line}: ${rejection.reason}\n`);
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
