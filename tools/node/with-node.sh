#!/usr/bin/env bash
# Runs a command with Node >= 22 first on PATH (see ensure-node.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PATH="$(bash "$here/ensure-node.sh"):$PATH"
export PATH
exec "$@"
