import 'reflect-metadata';
import cluster from 'node:cluster';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { runWorkers } from '@payer-access/http';
import { FhirConfig } from './fhir.config';
import { startFhirService } from './fhir.service-app';

async function main(): Promise<void> {
  const config = loadStandaloneConfigOrExit(FhirConfig);
  if (!config.KAFKA_BROKERS && cluster.isPrimary) {
    // Client statuses arrive only on Kafka when the service runs alone: without it no token is accepted.
    process.stderr.write('warning: KAFKA_BROKERS is unset; no client status can be learned and every access token will be refused\n');
  }
  await runWorkers(config.FHIR_WORKERS, async () => {
    const { url, metricsUrl } = await startFhirService(config);
    console.log(`fhir service listening on ${url} (docs: ${url}/docs; metrics: ${metricsUrl ? `${metricsUrl}/metrics` : 'off'})`);
  });
}

void main();
