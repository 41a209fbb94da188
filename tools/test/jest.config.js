// Every project's Jest config in one run: one set of workers and one summary for the whole suite.
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const projects = execSync("git ls-files -co --exclude-standard -- '*/jest.config.js'", { cwd: root })
  .toString()
  .split('\n')
  .filter((file) => file && file !== 'tools/test/jest.config.js')
  .map((file) => path.join(root, path.dirname(file)));

/** @type {import('jest').Config} */
module.exports = {
  rootDir: root,
  projects,
  // A global option: in a multi-project run the projects' own testTimeout is ignored. Services
  // started against a fresh database on a busy 2-core machine need more than Jest's 5 s.
  testTimeout: 30000,
  reporters: ['default', path.join(__dirname, 'summary.reporter.js')],
};
