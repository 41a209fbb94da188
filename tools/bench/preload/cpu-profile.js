'use strict';
// Loaded with `--require` into a service the bench profiles (BENCH_CPU_PROFILE_DIR set): the first
// SIGWINCH (ignored by default, and not among the signals NestJS shuts down on, as SIGUSR2 is) starts the V8 CPU profiler, the second writes `<pid>-<n>.cpuprofile` into that directory
// and stops it. The bench brackets its load with the two signals, so the profile holds the load
// only, and the service's own SIGTERM shutdown (which re-raises the signal) needs no change.
// Plain JavaScript: it runs before any TypeScript loader is registered.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const directory = process.env.BENCH_CPU_PROFILE_DIR;
if (directory) {
  const session = new Session();
  session.connect();
  let running = false;
  let written = 0;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return process.stderr.write(`cpu profile: ${error.message}\n`);
      written += 1;
      const file = path.join(directory, `${process.pid}-${written}.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
      process.stderr.write(`cpu profile written: ${file}\n`);
    });
  });
}
