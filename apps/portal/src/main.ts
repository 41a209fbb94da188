import 'reflect-metadata';
import { loadConfigOrExit } from '@payer-access/config';
import { PortalConfig } from './portal.config';
import { startPortal } from './server/portal-server';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PortalConfig);
  const running = await startPortal(config, { log: (line) => process.stderr.write(`[portal] ${line}\n`) });
  process.stdout.write(`[portal] listening on ${running.url}, registration API ${config.REGISTRATION_API_URL}\n`);
  const stop = () => void running.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
