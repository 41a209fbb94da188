import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

export interface Frame {
  readonly name: string;
  readonly share: number;
}

/** The frames with the most self time of a V8 CPU profile, as shares of all samples. */
export function topFrames(profile: CpuProfile, limit = 25): Frame[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const total = profile.samples.length || 1;
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, count]) => ({ name, share: count / total }));
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  return url.startsWith('file://') ? path.relative(process.cwd(), url.slice('file://'.length)) : url;
}

/** `profile-top.ts <file.cpuprofile> [limit]`: prints the top self-time frames, one per line. */
if (require.main === module) {
  const [file, limit] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  for (const frame of topFrames(profile, limit ? Number(limit) : 25)) process.stdout.write(`${(100 * frame.share).toFixed(1).padStart(5)} %  ${frame.name}\n`);
}
