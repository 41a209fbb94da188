import { type CampaignReport, runCampaign } from './campaign';
import { discoverTargets, healthProblems } from './fuzz-targets';
import { startLocalPlatform } from './local-platform';

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  readonly seconds: number;
  readonly concurrency: number;
  readonly log?: (message: string) => void;
}

export interface FuzzResult {
  readonly report: CampaignReport;
  /** Services not ready, or real requests no longer served, after the campaign. */
  readonly health: readonly string[];
}

/** Starts the one-process platform, runs one seeded campaign against it, checks it is still healthy, stops it. */
export async function fuzzPlatform(options: FuzzOptions): Promise<FuzzResult> {
  const log = options.log ?? (() => undefined);
  const platform = await startLocalPlatform();
  try {
    const targets = await discoverTargets(platform);
    log(`${targets.routes.length} routes on ${Object.values(platform.urls).join(', ')}; seed ${options.seed}, up to ${options.count} requests in ${options.seconds} s`);
    const report = await runCampaign({ ...options, urls: platform.urls, routes: targets.routes, context: targets.context, progress: (sent) => log(`${sent} requests sent`) });
    return { report, health: await healthProblems(platform, targets) };
  } finally {
    await platform.stop();
  }
}

/** The report as lines for a terminal. */
export function describeResult({ report, health }: FuzzResult): string {
  const lines = [
    `seed ${report.seed}: ${report.sent} requests over ${report.routes} routes in ${report.seconds.toFixed(1)} s (${(report.sent / report.seconds).toFixed(0)}/s)`,
    `by mutation: ${Object.entries(report.byKind).map(([kind, count]) => `${kind} ${count}`).join(', ')}`,
    `answers: ${Object.entries(report.statuses).sort().map(([key, count]) => `${key}: ${count}`).join(', ')}`,
    `connections closed after refusing an oversized body: ${report.closedEarly}; requests Node would not write: ${report.unsendable}`,
    `findings: ${report.findings.length}; health after the campaign: ${health.length === 0 ? 'ok' : health.join('; ')}`,
  ];
  for (const finding of report.findings.slice(0, 30)) {
    lines.push(`  #${finding.request.index} ${finding.request.kind} ${finding.request.method} ${finding.request.service} ${finding.request.path.slice(0, 200)} → ${finding.problem}`);
    if (finding.excerpt) lines.push(`    ${finding.excerpt.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  return lines.join('\n');
}
