import type { INestApplication } from '@nestjs/common';
import type { Resource } from '@medplum/fhirtypes';
import { CLIENT_CHANGED_TOPIC, createClientChangedEvent } from '@payer-access/client-status';
import { loadConfig } from '@payer-access/config';
import { InProcessEventBus, platformTopicSpecs, sandboxProducers } from '@payer-access/events';
import { createFhirApp, FhirConfig, fhirBaseUrl } from '@payer-access/fhir-service';
import { generateSyntheticData } from '@payer-access/synthetic-data';
import { createTestDatabase } from '@payer-access/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { listen, log, port } from './local-server';

const BASE_PATH = '/fhir/sb/R4/patientaccess';
const PAYER = 'BenchPayer0000000001';
const EOBS_PER_MEMBER = 100;
/** Rows inserted per statement while the store grows. */
const INSERT_CHUNK = 100_000;

export interface BulkExportFigure {
  readonly eobs: number;
  readonly resources: number;
  readonly seconds: number;
  readonly resourcesPerSecond: number;
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  /** CPU time of this process (the service, its worker) during the export: a figure less swayed by a busy host than the rate. */
  readonly cpuSeconds: number;
}

/**
 * Bulk export throughput: a payer linked to every member of a Group exports it with
 * `$davinci-data-export`, through the real kick-off, worker, cursor and file store, and the status
 * URL is polled until the manifest. The figure is resources written per second from kick-off to
 * manifest, with this process's resident memory sampled every 20 ms during the export (the worker
 * runs in it), for each size of the store.
 *
 * The store is filled inside PostgreSQL (copies of one synthetic claim and one member, dated
 * within the five-year look-back) and the payer's links and Group are written directly: what is
 * measured is the export, not the loader or the matching.
 */
export async function runBulkExportBench(sizes: readonly number[]): Promise<BulkExportFigure[]> {
  const database = await createTestDatabase('pa_bench_bulk');
  const bulkDir = mkdtempSync(join(tmpdir(), 'pa-bench-bulk-'));
  const keys = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwksServer = await listen(createServer((_request, response) => response.end(JSON.stringify({ keys: [jwk] }))));
  const issuer = `http://127.0.0.1:${port(jwksServer)}`;
  const bus = await approvedPayerBus();
  // No registration runs here to send heartbeats: the staleness bound is off, or a store that takes
  // minutes to grow would find the payer's status "out of date" and every request refused.
  const config = loadConfig(FhirConfig, { DATABASE_URL: database.url, PROFILE: 'sandbox', AUTHORIZATION_PUBLIC_URL: issuer, FHIR_LOAD_SANDBOX_DATA: 'false', FHIR_BULK_DIR: bulkDir, CLIENT_STATUS_MAX_STALENESS_SECONDS: '0' });
  const app: INestApplication = await createFhirApp({ ...config, DATABASE_URL: database.url }, { logger: ['error'], eventBus: bus });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port(app.getHttpServer() as Server)}${BASE_PATH}`;
  const dataSource = app.get(DataSource);
  const token = await new SignJWT({ client_id: PAYER, scope: 'system/*.rs' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'bench' })
    .setIssuer(issuer)
    .setAudience(fhirBaseUrl(config))
    .setSubject(PAYER)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('6h')
    .sign(keys.privateKey);
  const figures: BulkExportFigure[] = [];
  try {
    const template = templates();
    let members = 0;
    for (const size of sizes) {
      const wanted = Math.ceil(size / EOBS_PER_MEMBER);
      log(`bulk: growing the store to ${wanted * EOBS_PER_MEMBER} EOBs of ${wanted} linked members`);
      for (let from = members; from < wanted; from += INSERT_CHUNK / EOBS_PER_MEMBER) {
        await addMembers(dataSource, template, from, Math.min(wanted, from + INSERT_CHUNK / EOBS_PER_MEMBER));
      }
      members = wanted;
      await dataSource.query('VACUUM ANALYZE resource');
      const groupId = randomUUID();
      // The Group a bulk match would have left, with the job it belongs to.
      await dataSource.query(`INSERT INTO bulk_job (id, client_id, kind, status, request_url, input) VALUES ($1, $2, 'member-match', 'completed', 'bench', '{}')`, [groupId, PAYER]);
      await dataSource.query(
        `INSERT INTO payer_group (id, client_id, job_id, kind, member_ids, content)
         SELECT $1::text, $2, $1::uuid, 'matched', array_agg('bm-' || n), '{"resourceType":"Group"}' FROM generate_series(0, $3::int - 1) n`,
        [groupId, PAYER, members],
      );
      figures.push(await exportOnce(base, token, groupId, members * EOBS_PER_MEMBER));
      const figure = figures[figures.length - 1];
      log(`bulk: ${figure.resources} resources in ${figure.seconds.toFixed(1)} s = ${figure.resourcesPerSecond} resources/s, RSS ${figure.rssBeforeMb} MB before, ${figure.peakRssMb} MB at peak, ${figure.cpuSeconds.toFixed(1)} s of CPU`);
    }
  } finally {
    await app.close();
    await bus.stop();
    jwksServer.close();
    await database.drop();
    rmSync(bulkDir, { recursive: true, force: true });
  }
  return figures;
}

async function exportOnce(base: string, token: string, groupId: string, eobs: number): Promise<BulkExportFigure> {
  const headers = { authorization: `Bearer ${token}` };
  global.gc?.();
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const kick = await fetch(`${base}/Group/${groupId}/$davinci-data-export?_type=Patient,ExplanationOfBenefit`, { headers: { ...headers, prefer: 'respond-async' } });
    if (kick.status !== 202) throw new Error(`kick-off answered ${kick.status}: ${await kick.text()}`);
    const statusUrl = kick.headers.get('content-location') as string;
    for (;;) {
      const status = await fetch(statusUrl.replace(/^https?:\/\/[^/]+/, base.slice(0, base.indexOf(BASE_PATH))), { headers });
      if (status.status === 200) {
        const manifest = (await status.json()) as { output: { count: number }[] };
        const seconds = (performance.now() - started) / 1000;
        const resources = manifest.output.reduce((sum, file) => sum + file.count, 0);
        const used = process.cpuUsage(cpu);
        const cpuSeconds = (used.user + used.system) / 1e6;
        return { eobs, resources, seconds, resourcesPerSecond: Math.round(resources / seconds), rssBeforeMb: mb(rssBefore), peakRssMb: mb(peak), cpuSeconds };
      }
      if (status.status !== 202) throw new Error(`status answered ${status.status}: ${await status.text()}`);
      // Polls cost this process CPU too: often at first, for the small sizes, then twice a second.
      await new Promise((resolve) => setTimeout(resolve, performance.now() - started < 2_000 ? 50 : 500));
    }
  } finally {
    clearInterval(sampler);
  }
}

/** One synthetic member and one of their claims, as JSON, to be copied. */
function templates(): { patient: string; eob: string } {
  let patient: Resource | undefined;
  let eob: Resource | undefined;
  for (const resource of generateSyntheticData({ extraPatients: 1, eobsPerPatient: 1, clinical: false })) {
    if (resource.resourceType === 'Patient') patient ??= resource;
    if (resource.resourceType === 'ExplanationOfBenefit') eob ??= resource;
    if (patient && eob) break;
  }
  if (!patient || !eob) throw new Error('the synthetic data set has no Patient or EOB');
  return { patient: JSON.stringify(patient), eob: JSON.stringify(eob) };
}

/** Members `from`..`to - 1`, each with EOBS_PER_MEMBER claims dated 100 days ago, linked to the payer. */
async function addMembers(dataSource: DataSource, template: { patient: string; eob: string }, from: number, to: number): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await manager.query('SET LOCAL synchronous_commit = off');
    await manager.query(
      `INSERT INTO resource (resource_type, id, version, last_updated, patient_id, content, record_date, security_labels)
       SELECT 'Patient', 'bm-' || n, 1, now(), 'bm-' || n, jsonb_set($1::jsonb, '{id}', to_jsonb('bm-' || n))::json, NULL, '{}'
       FROM generate_series($2::int, $3::int - 1) n`,
      [template.patient, from, to],
    );
    await manager.query(
      `INSERT INTO resource (resource_type, id, version, last_updated, patient_id, content, record_date, security_labels)
       SELECT 'ExplanationOfBenefit', 'bm-' || n || '-' || e, 1, now(), 'bm-' || n,
              jsonb_set(jsonb_set($1::jsonb, '{id}', to_jsonb('bm-' || n || '-' || e)), '{patient,reference}', to_jsonb('Patient/bm-' || n))::json,
              now() - interval '100 days', '{}'
       FROM generate_series($2::int, $3::int - 1) n CROSS JOIN generate_series(1, $4::int) e`,
      [template.eob, from, to, EOBS_PER_MEMBER],
    );
    await manager.query(
      `INSERT INTO payer_link (client_id, patient_id, consent_policy, period_start, period_end, matched_by)
       SELECT $1, 'bm-' || n, 'all', now() - interval '1 day', now() + interval '1 year', 'bench' FROM generate_series($2::int, $3::int - 1) n`,
      [PAYER, from, to],
    );
  });
}

/** An in-process bus on which the bench payer is approved. */
async function approvedPayerBus(): Promise<InProcessEventBus> {
  const bus = new InProcessEventBus();
  await bus.ensureTopics(platformTopicSpecs());
  const event = createClientChangedEvent({
    eventId: randomUUID(),
    occurredAt: new Date(),
    clientId: PAYER,
    registrationId: 'bench-payer',
    kind: 'payer',
    status: 'approved',
    previousStatus: null,
    clientVersion: 1,
    client: { name: 'bench payer', clientType: 'confidential', redirectUris: ['https://oidcdebugger.com/debug'], sealedSecretHash: null, allowedScopes: ['system/*.rs'], system: true },
  });
  await (await sandboxProducers(bus)).publish(CLIENT_CHANGED_TOPIC, [{ key: PAYER, value: event }]);
  return bus;
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

export function printBulkTable(figures: readonly BulkExportFigure[]): void {
  const lines = [
    '',
    '| EOBs exported | resources | s | resources/s | RSS before MB | peak RSS MB | CPU s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map(
      (figure) =>
        `| ${figure.eobs.toLocaleString('en-US')} | ${figure.resources.toLocaleString('en-US')} | ${figure.seconds.toFixed(1)} | ${figure.resourcesPerSecond} | ${figure.rssBeforeMb} | ${figure.peakRssMb} | ${figure.cpuSeconds.toFixed(1)} |`,
    ),
    '',
    ...figures.map((figure) => `${figure.eobs.toLocaleString('en-US')} EOBs: bulk export at ${figure.resourcesPerSecond} resources/s (target >= 20,000): ${figure.resourcesPerSecond >= 20_000 ? 'met' : 'NOT met'}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
