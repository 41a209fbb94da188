import 'reflect-metadata';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { AuthorizationConfig } from './authorization.config';
import { startAuthorizationService } from './authorization.service-app';

async function main(): Promise<void> {
  const config = loadStandaloneConfigOrExit(AuthorizationConfig);
  const { url, metricsUrl } = await startAuthorizationService(config);
  console.log(`authorization service listening on ${url} (docs: ${url}/docs; metrics: ${metricsUrl ? `${metricsUrl}/metrics` : 'off'})`);
}

void main();
