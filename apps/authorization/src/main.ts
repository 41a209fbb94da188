import 'reflect-metadata';
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { loadStandaloneConfigOrExit } from '@payer-access/config';
import { runWorkers } from '@payer-access/http';
import { AuthorizationConfig } from './authorization.config';
import { startAuthorizationService } from './authorization.service-app';

async function main(): Promise<void> {
  const config = loadStandaloneConfigOrExit(AuthorizationConfig);
  if (cluster.isPrimary && config.AUTHORIZATION_WORKERS > 1 && !config.COOKIE_KEYS) {
    // The sandbox draws a cookie key at start when none is set (production requires COOKIE_KEYS).
    // Workers must share it: a member's next request may reach another worker, which would refuse
    // cookies signed with a key of its own. The workers load their configuration from this environment.
    process.env.COOKIE_KEYS = randomBytes(32).toString('base64url');
  }
  await runWorkers(config.AUTHORIZATION_WORKERS, async () => {
    const { url, metricsUrl } = await startAuthorizationService(config);
    console.log(`authorization service listening on ${url} (docs: ${url}/docs; metrics: ${metricsUrl ? `${metricsUrl}/metrics` : 'off'})`);
  });
}

void main();
