import { readFileSync } from 'node:fs';
import path from 'node:path';

/** docker/Dockerfile, which builds the one image of the three services. */
export const DOCKERFILE_PATH = path.resolve(__dirname, '../../../../docker/Dockerfile');

/**
 * The environment the image's last stage sets (`ENV NAME=value`, `ENV NAME="value with spaces"`,
 * several pairs on one line): what every container of the image starts with unless compose
 * overrides it. Refuses the forms it does not read (the legacy `ENV NAME value`, line
 * continuations), so that a setting is never silently missed.
 */
export function dockerfileRuntimeEnv(text = readFileSync(DOCKERFILE_PATH, 'utf8')): Record<string, string> {
  const lines = text.split('\n');
  const lastStage = lines.findLastIndex((line) => /^\s*FROM\s/i.test(line));
  const env: Record<string, string> = {};
  for (const line of lines.slice(lastStage + 1)) {
    const instruction = /^\s*ENV\s+(.*)$/i.exec(line);
    if (!instruction) continue;
    const rest = instruction[1].trim();
    const pair = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)\s*/y;
    let at = 0;
    while (at < rest.length) {
      pair.lastIndex = at;
      const match = pair.exec(rest);
      if (!match || rest.endsWith('\\')) throw new Error(`docker/Dockerfile: cannot read "${line.trim()}" (write ENV NAME=value or NAME="value")`);
      env[match[1]] = match[2].startsWith('"') ? match[2].slice(1, -1).replace(/\\(.)/g, '$1') : match[2];
      at = pair.lastIndex;
    }
  }
  return env;
}
