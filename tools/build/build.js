#!/usr/bin/env node
// Compiles the services and libraries to plain CommonJS under dist/ with SWC (decorator metadata
// kept for NestJS, `@payer-access/*` aliases rewritten to relative paths), for container images
// and production runs; `build.js <dir>` writes to another directory inside the repository (its
// node_modules must resolve from there), as `npm start` does (tools/sandbox/start.sh). Tests run
// the TypeScript sources directly.
const fs = require('node:fs');
const path = require('node:path');
const { transformFile } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const outDir = path.resolve(root, process.argv[2] ?? 'dist');
if (path.relative(root, outDir).startsWith('..') || outDir === root) throw new Error(`build.js writes inside the repository, not to ${outDir}`);
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
const sourceRoots = ['apps', 'libs', 'tools/sandbox', 'tools/synthetic-data'];
const skip = /(\.spec|\.e2e-spec)\.ts$|\/test\/|\.d\.ts$/;
if (sourceRoots.some((dir) => !path.relative(outDir, path.join(root, dir)).startsWith('..'))) throw new Error(`${outDir} holds sources: build.js empties its output directory first`);

function sources(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(full);
    return full.endsWith('.ts') && !skip.test(full) ? [full] : [];
  });
}

async function main() {
  fs.rmSync(outDir, { recursive: true, force: true });
  const files = sourceRoots.flatMap((dir) => sources(path.join(root, dir)));
  for (const file of files) {
    const { code, map } = await transformFile(file, {
      filename: file,
      sourceMaps: true,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
        baseUrl: root,
        paths: compilerOptions.paths,
      },
      module: { type: 'commonjs' },
    });
    const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    if (map) fs.writeFileSync(`${target}.map`, map);
  }
  // Non-code assets the services read at run time (page templates, static files, JSON data).
  for (const dir of sourceRoots) copyAssets(path.join(root, dir));
  process.stdout.write(`compiled ${files.length} files to ${path.relative(process.cwd(), outDir) || '.'}\n`);
}

function copyAssets(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'test') copyAssets(full);
    } else if (
      // Everything a `public` directory serves as it is (the sample app's scripts among it).
      (path.basename(dir) === 'public' && !entry.name.endsWith('.ts')) ||
      (/\.(html|css|json|ndjson|svg|png)$/.test(entry.name) && !/(project|tsconfig|package)\.json$/.test(entry.name) && !/^tsconfig/.test(entry.name))
    ) {
      const target = path.join(outDir, path.relative(root, full));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(full, target);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
