#!/usr/bin/env bash
# Installs the locked dependencies when node_modules is missing or older than package-lock.json,
# so `npm start` and `npm test` work straight after a clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
