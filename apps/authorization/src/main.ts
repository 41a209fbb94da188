import 'reflect-metadata';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { AuthorizationConfig } from './authorization.config';
import { startAuthorizationService } from './authorization.service-app';

async function main(): Promise<void> {
  const config = loadStandaloneConfigOrExit(AuthorizationConfig);
  const { url } = await startAuthorizationService(config);
  console.log(`authorization service listening on ${url} (docs: ${url}/docs)`);
}

void main();
