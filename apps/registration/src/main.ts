import 'reflect-metadata';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { RegistrationConfig } from './registration.config';
import { startRegistrationService } from './registration.service-app';

async function main(): Promise<void> {
  const config = loadStandaloneConfigOrExit(RegistrationConfig);
  const { url, metricsUrl } = await startRegistrationService(config);
  console.log(`registration service listening on ${url} (docs: ${url}/docs; metrics: ${metricsUrl ? `${metricsUrl}/metrics` : 'off'})`);
}

void main();
