#!/usr/bin/env bash
# `npm start`: the one-process platform (tools/sandbox/src/main.ts). The bench's soak part starts it
# through this script too (`npm run bench -- --only soak`), so what it measures is what runs here.
#
# Memory (docs/architecture.md#memory). The image (docker/Dockerfile) gives each service the same
# MALLOC_ARENA_MAX and --max-semi-space-size (tools/sandbox/src/compose/dockerfile-env.spec.ts checks
# it); only --max-old-space-size is this script's own, for the reason given below.
# - The sources are compiled to plain JavaScript first (tools/build, ~2 s) and node runs that:
#   running them through @swc-node/register kept the TypeScript compiler, SWC and every module's
#   source map in the process (about 100 MB of the resident set).
# - V8 flags, put first in NODE_OPTIONS so that the caller's own NODE_OPTIONS win:
#   --max-semi-space-size=16: V8 grows each semi-space of the young generation up to 64 MB on a host
#   with much RAM, and keeps them; 16 MB keeps the young generation small and scavenges cheap.
#   --max-old-space-size=512: below 2 GB V8 also lets the old generation grow less between two
#   collections (1.4 times what survived rather than up to 4 times), so the garbage of a busy
#   minute is collected at ~150 MB rather than at ~400 MB. The live heap is ~65-100 MB; a sandbox
#   holding far more data may raise it (NODE_OPTIONS=--max-old-space-size=1024 npm start). The image
#   sets no such ceiling: a plan's fhir service may hold a bulk export or a big load, and V8 sizes
#   the old space from the container's memory limit there.
# - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (libuv's pool: argon2, crypto, zlib)
#   an arena of its own, which keeps what it once held; two are enough for this process.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tools/node/ensure-deps.sh
build="${SANDBOX_BUILD_DIR:-.data/build}"
node tools/build/build.js "$build" > /dev/null
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=512 ${NODE_OPTIONS:-}"
exec node "$build/tools/sandbox/src/main.js"
