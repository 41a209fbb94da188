import 'reflect-metadata';
import { loadConfigOrExit, requireDatabaseUrl } from '@payer-access/config';
import { FhirConfig } from './fhir.config';
import { startFhirService } from './fhir.service-app';

async function main(): Promise<void> {
  const config = requireDatabaseUrl(loadConfigOrExit(FhirConfig));
  const { url } = await startFhirService(config);
  console.log(`fhir service listening on ${url} (docs: ${url}/docs)`);
}

void main();
