import 'reflect-metadata';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { runWorkers } from '@payer-access/http';
import { AuthorizationConfig } from './authorization.config';
import { startAuthorizationService } from './authorization.service-app';

async function main(): Promise<void> {
  const config = loadStandaloneConfigOrExit(AuthorizationConfig);
  await runWorkers(config.AUTHORIZATION_WORKERS, async () => {
    const { url, metricsUrl } = await startAuthorizationService(config);
    console.log(`authorization service listening on ${url} (docs: ${url}/docs; metrics: ${metricsUrl ? `${metricsUrl}/metrics` : 'off'})`);
  });
}

void main();
