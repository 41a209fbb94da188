import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { composeNodeOptions } from '../../sandbox/src/compose/compose-file';
import { dockerfileRuntimeEnv } from '../../sandbox/src/compose/dockerfile-env';
import { log } from './local-server';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/** The services compiled as the image holds them, and the environment each runs with there. */
export interface ImageBuild {
  /** Relative to the repository, for tools/platform-e2e's `Platform.start({ buildDir })`. */
  readonly buildDir: string;
  /** What docker/Dockerfile sets for every service (NODE_ENV, MALLOC_ARENA_MAX, NODE_OPTIONS). */
  readonly env: Record<string, string>;
  /** What docker compose adds for authorization (its NODE_OPTIONS), when it adds anything. */
  readonly authorizationEnv: Record<string, string>;
  remove(): void;
}

/**
 * Compiles the services with `tools/build/build.js` into `.data/<name>-build-<pid>` (inside the
 * repository, so node_modules resolve from there), so that a bench part measures them as a plan
 * runs them rather than as TypeScript compiled on load with Node's defaults.
 */
export async function buildAsImage(name: string): Promise<ImageBuild> {
  const buildDir = path.join('.data', `${name}-build-${process.pid}`);
  const env = dockerfileRuntimeEnv();
  const composed = composeNodeOptions('authorization');
  const authorizationEnv: Record<string, string> = composed === undefined ? {} : { NODE_OPTIONS: composed };
  log(`compiling the services into ${buildDir}; they run with the image's environment ${JSON.stringify(env)}${composed === undefined ? '' : `, authorization with compose's NODE_OPTIONS ${JSON.stringify(composed)}`}`);
  await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'tools/build/build.js'), buildDir], { cwd: REPO_ROOT });
  return { buildDir, env, authorizationEnv, remove: () => rmSync(path.join(REPO_ROOT, buildDir), { recursive: true, force: true }) };
}
