#!/usr/bin/env bash
# `npm test`: lint, type-check and every project's tests against a real PostgreSQL and a real
# Kafka broker. Uses TEST_DATABASE_URL / KAFKA_BROKERS when set; otherwise the local server on
# 127.0.0.1:5432 (or an embedded one) and a broker started through tools/kafka. Installs what it
# needs from npm and, as root, from Debian's packages (tools/test/prerequisites.sh); CI runs
# exactly this (.ci/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE="${CI:+true}"
# kafkajs 2.2 trips a harmless TimeoutNegativeWarning on Node >= 23.
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"

bash tools/node/ensure-deps.sh
# Chromium, Java and Maven: installed (root with apt-get) or named, one line each, before anything starts.
CHROMIUM_PATH=$(bash tools/test/prerequisites.sh | sed -n 's/^CHROMIUM_PATH=//p')
export CHROMIUM_PATH

cleanup() {
  local status=$?
  if [ -n "${pg_pid:-}" ]; then kill "$pg_pid" 2>/dev/null || true; wait "$pg_pid" 2>/dev/null || true; fi
  if [ -n "${started_kafka:-}" ]; then bash tools/kafka/kafka.sh stop >/dev/null 2>&1 || true; fi
  exit $status
}
trap cleanup EXIT INT TERM

if [ -z "${TEST_DATABASE_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "== no PostgreSQL on 127.0.0.1:5432: starting an embedded one"
  fifo=$(mktemp -u); mkfifo "$fifo"
  TS_NODE_PROJECT=tools/sandbox/tsconfig.json node -r @swc-node/register tools/test/embedded-postgres.ts .data/test-postgres 54330 >"$fifo" &
  pg_pid=$!
  read -r TEST_DATABASE_URL <"$fifo" || true; rm -f "$fifo"
  [ -n "$TEST_DATABASE_URL" ] || { echo "embedded PostgreSQL did not start"; exit 1; }
  export TEST_DATABASE_URL
fi

if [ -z "${KAFKA_BROKERS:-}" ]; then
  # Leave a broker someone else started running after the tests; stop only our own.
  bash tools/kafka/kafka.sh status >/dev/null 2>&1 || started_kafka=1
  echo "== starting Kafka (tools/kafka)"
  # The broker address and its principals' SASL credentials (KAFKA_SCRAM_MECHANISM, KAFKA_<P>_*).
  kafka_env=$(bash tools/kafka/kafka.sh start | grep -E '^KAFKA_[A-Z0-9_]+=[^[:space:]]*$' || true)
  while IFS= read -r assignment; do [ -n "$assignment" ] && export "${assignment?}"; done <<<"$kafka_env"
  [ -n "${KAFKA_BROKERS:-}" ] || { echo "Kafka did not start:"; bash tools/kafka/kafka.sh logs || true; exit 1; }
fi

echo "== lint and type-check"
npx nx run-many -t lint typecheck --parallel=2 --outputStyle=static

echo "== tests (PostgreSQL: ${TEST_DATABASE_URL:-127.0.0.1:5432}, Kafka: $KAFKA_BROKERS)"
npx jest --config tools/test/jest.config.js --ci --maxWorkers=2 "$@"
