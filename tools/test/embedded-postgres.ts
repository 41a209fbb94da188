import { startEmbeddedPostgres } from '@payer-access/database';

/**
 * Keeps an embedded PostgreSQL running for the test run on machines where no server answers
 * on 127.0.0.1:5432: prints its URL, then stops it on SIGTERM.
 */
async function main(): Promise<void> {
  const server = await startEmbeddedPostgres({ dataDir: process.argv[2] ?? '.data/test-postgres', port: Number(process.argv[3] ?? 54330) });
  process.stdout.write(`${server.url}\n`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded PostgreSQL failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
