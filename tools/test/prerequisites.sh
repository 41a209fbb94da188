#!/usr/bin/env bash
# What `npm test` needs besides npm packages, installed or named before anything runs:
#   - Chromium, for the member pages in a browser (CHROMIUM_PATH, else `chromium` on PATH);
#   - unless KAFKA_BROKERS names a broker: Java 17+ to run tools/kafka's broker, and Maven until
#     its jars are cached (it resolves them from Maven Central once).
# Missing Debian packages are installed with apt-get when this process is root on a machine that
# has apt-get (set TEST_APT_INSTALL=false to forbid it); otherwise each missing one is named on a
# line of its own with the command that brings it, and the run stops before it starts.
# Prints `CHROMIUM_PATH=…` on stdout for the caller to export.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

say() { echo "$*" >&2; }
packages=() # Debian packages to install
why=()      # one line each: what is missing and how to get it

java_major() {
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$java" >/dev/null 2>&1 || { echo 0; return; }
  "$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1 | grep . || echo 0
}

check() {
  packages=()
  why=()
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] || { why+=("CHROMIUM_PATH=$CHROMIUM_PATH is not an executable Chromium: unset it or point it at one"); }
  elif ! command -v chromium >/dev/null 2>&1; then
    packages+=(chromium)
    why+=("Chromium is missing (browser tests): apt-get install chromium, or set CHROMIUM_PATH to a Chromium binary")
  fi
  if [ -z "${KAFKA_BROKERS:-}" ]; then
    if [ "$(java_major)" -lt 17 ]; then
      packages+=(default-jre-headless)
      why+=("Java 17 or later is missing (tools/kafka runs the test broker): apt-get install default-jre-headless, set JAVA_HOME, or set KAFKA_BROKERS")
    fi
    # The jars are resolved once; without Maven an empty cache cannot be filled.
    if ! command -v mvn >/dev/null 2>&1 && ! bash tools/kafka/kafka.sh fetch >/dev/null 2>&1; then
      packages+=(maven)
      why+=("Maven is missing (tools/kafka resolves Kafka's jars from Maven Central once): apt-get install maven, or set KAFKA_BROKERS")
    fi
  fi
}

check
if [ ${#packages[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${TEST_APT_INSTALL:-true}" != false ]; then
  say "== installing ${packages[*]} (apt-get)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  check
fi
if [ ${#why[@]} -gt 0 ]; then
  for line in "${why[@]}"; do say "npm test cannot run: $line"; done
  exit 1
fi
echo "CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}"
