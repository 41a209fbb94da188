#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft, broker + controller in one JVM) on 127.0.0.1
# from jars resolved out of Maven Central — no Docker, no download site. See README.md.
#
#   kafka.sh fetch            resolve the jars into the cache (once; later runs are offline)
#   kafka.sh start [--fresh]  start in the background unless running; prints KAFKA_BROKERS=host:port
#                             and the SASL/SCRAM credentials of each principal (KAFKA_SCRAM_MECHANISM,
#                             KAFKA_<PRINCIPAL>_USERNAME / _PASSWORD)
#   kafka.sh stop             graceful stop (SIGTERM), SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   kafka.sh status           prints the same lines and KAFKA_PID=… (exit 0) or "not running" (exit 3)
#   kafka.sh logs             prints the path of the broker log and its last lines
#
# Only KEY=value lines go to stdout, so `export $(kafka.sh start)` works; progress and errors go
# to stderr. Clients must authenticate (SASL_PLAINTEXT, SCRAM-SHA-512); ACLs decide what each may do.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
cache="${KAFKA_CACHE_DIR:-$here/.cache}"
dist="$cache/kafka-$kafka_version"
libs="$dist/libs"
data="$(realpath -m "${KAFKA_DATA_DIR:-$cache/data}")" # absolute: it identifies the broker (running_pid)
host=127.0.0.1
start_timeout="${KAFKA_START_TIMEOUT:-90}"
stop_timeout="${KAFKA_STOP_TIMEOUT:-30}"
heap_opts="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
# C1 only: the JIT's C2 threads fight the broker for CPU while it starts, which doubled start
# times on a busy 2-CPU machine; a test broker never runs long enough to need C2's code.
perf_opts="${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 -Djava.awt.headless=true}"

pid_file="$data/kafka.pid"
state_file="$data/broker.env"
log_file="$data/kafka.log"
props_file="$data/server.properties"
log4j_file="$data/log4j2.properties"
log_dirs="$data/kraft"
credentials_file="$data/credentials.env"
admin_config="$data/admin.properties"
acl_marker="$data/acls.sha256"

# The SCRAM principals: the tooling's super user and one per service. Passwords are random per
# data dir (made when it is formatted), so nothing can reach a broker by knowing this script.
principals=(admin registration authorization fhir)
scram_mechanism=SCRAM-SHA-512

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "no java on PATH and no JAVA_HOME; Kafka $kafka_version needs Java 17 or later"
  fi
}

check_java() {
  local java major
  java="$(java_bin)"
  major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)"
  if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    die "$java is Java ${major:-?}; Kafka $kafka_version needs Java 17 or later (set JAVA_HOME)"
  fi
}

# Serializes start/stop/fetch across processes (parallel test workers may all call `start`).
# The lock sits beside the data dir, not inside it, because `start --fresh` deletes the data dir.
take_lock() {
  mkdir -p "$(dirname "$data")"
  exec 9>"$data.lock"
  flock -w "$((start_timeout + stop_timeout + 120))" 9 || die "timed out waiting for $data.lock"
}

alive() { # alive PID: the process exists and is not a zombie waiting to be reaped
  [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

# The pid of the broker serving $data, or nothing. Checks the command line so that a recycled
# pid (after a reboot or a crash) is never mistaken for the broker.
running_pid() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  [ -n "$pid" ] && alive "$pid" || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "kafka.Kafka $props_file"; then echo "$pid"; fi
}

recorded() { # recorded KEY: a value from the last successful start in this data dir
  [ -f "$state_file" ] && sed -n "s/^$1=//p" "$state_file" | head -n1 || true
}

port_in_use() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

fetch() {
  local sum
  sum="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [ -f "$dist/pom.sha256" ] && [ "$(cat "$dist/pom.sha256")" = "$sum" ] && [ -d "$libs" ]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven 3.8+) is needed once to resolve Kafka from Maven Central"
  say "resolving Apache Kafka $kafka_version from Maven Central into $dist (one time)"
  local t0 tmp
  t0=$(date +%s)
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
  # shellcheck disable=SC2086 # MAVEN_ARGS is a list of extra flags
  if ! mvn -q -B -Dstyle.color=never ${MAVEN_ARGS:-} -f "$pom" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp/libs" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    die "could not resolve Kafka $kafka_version (is Maven Central reachable?)"
  fi
  rm -rf "$dist"
  mkdir -p "$dist"
  mv "$tmp/libs" "$libs"
  rm -rf "$tmp"
  echo "$sum" >"$dist/pom.sha256"
  say "resolved $(find "$libs" -name '*.jar' | wc -l) jars ($(du -sh "$libs" | cut -f1)) in $(($(date +%s) - t0))s"
}

write_config() {
  local port="$1" controller_port="$2"
  mkdir -p "$log_dirs"
  # It holds passwords: readable by this user only.
  (umask 077 && : >"$props_file")
  cat >"$props_file" <<EOF
# Generated by tools/kafka/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$controller_port
listeners=CLIENT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=CLIENT://$host:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
log.dirs=$log_dirs

# Every connection authenticates. Clients (and the broker to itself) use SCRAM, whose credentials
# live in the cluster metadata (created at format time). The controller listener uses PLAIN with a
# static user, because the controller needs it before it has read any metadata; were it left
# unauthenticated, anyone reaching that port would be a super user (KIP-919 lets admin clients
# send it ACL changes).
sasl.enabled.mechanisms=$scram_mechanism
sasl.mechanism.inter.broker.protocol=$scram_mechanism
listener.name.client.sasl.enabled.mechanisms=$scram_mechanism
listener.name.client.${scram_mechanism,,}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(credential admin)";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$(credential controller)" user_controller="$(credential controller)";

# Nothing is allowed unless an ACL allows it (apply_acls); admin and the controller are super users.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:controller

# One node: every topic, internal ones included, has one replica.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Internal topics with one partition come up in milliseconds instead of creating 50.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1

# Tests: no 3 s wait before the first rebalance; topics are created explicitly with their settings.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
# Compacted topics (registration.client.changed.v1) need the cleaner.
log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216

# A small machine's broker.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
EOF
  (umask 077 && cat >"$admin_config") <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=$scram_mechanism
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(credential admin)";
EOF
  cat >"$log4j_file" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
# The full configuration dump on start is thousands of lines.
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
logger.appinfo.name = org.apache.kafka.common.utils.AppInfoParser
logger.appinfo.level = WARN
EOF
}

credential() { # credential NAME: the password of a principal of this data dir
  sed -n "s/^$1=//p" "$credentials_file" | head -n1
}

random_secret() { # 32 URL-safe characters: nothing in them needs quoting in JAAS or env files
  head -c 24 /dev/urandom | base64 | tr '+/' '-_'
}

make_credentials() {
  local name
  (umask 077 && : >"$credentials_file")
  for name in "${principals[@]}" controller; do
    echo "$name=$(random_secret)" >>"$credentials_file"
  done
}

print_brokers() {
  echo "KAFKA_BROKERS=$host:$1"
  # Not KAFKA_SASL_MECHANISM: that is a service's own setting, which must come with its user name.
  echo "KAFKA_SCRAM_MECHANISM=${scram_mechanism,,}"
  local name upper
  for name in "${principals[@]}"; do
    upper="${name^^}"
    echo "KAFKA_${upper}_USERNAME=$name"
    echo "KAFKA_${upper}_PASSWORD=$(credential "$name")"
  done
}

acl() { # acl ARGS…: one kafka-acls --add, as the admin principal
  "$(java_bin)" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
    -Dlog4j2.configurationFile="$log4j_file" -Dlog4j2.level=WARN -cp "$libs/*" \
    org.apache.kafka.tools.AclCommand --bootstrap-server "$host:$1" --command-config "$admin_config" \
    --add --force "${@:2}" </dev/null >>"$data/acls.log" 2>&1
}

# The ACLs as `principals operations kind name` lines (acls.conf without comments).
acl_spec() {
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/acls.conf"
}

# Turns one acl_spec line into kafka-acls arguments (after --add), one per line.
acl_args() {
  local who="$1" ops="$2" kind="$3" name="$4" principal op
  for principal in ${who//,/ }; do printf '%s\n' --allow-principal "User:$principal"; done
  for op in ${ops//,/ }; do printf '%s\n' --operation "$op"; done
  case "$kind" in
    topic) printf '%s\n' --topic "$name" ;;
    group-prefix) printf '%s\n' --group "$name" --resource-pattern-type prefixed ;;
  esac
}

# Applies acl_spec once per data dir and again whenever it changes (ACLs live in the metadata and
# survive restarts; adding one that exists is a no-op).
apply_acls() {
  local port="$1" sum
  sum="$(acl_spec | sha256sum | cut -d' ' -f1)"
  [ -f "$acl_marker" ] && [ "$(cat "$acl_marker")" = "$sum" ] && return 0
  local t0 who ops kind name args java
  t0=$(date +%s%N)
  java="$(java_bin)"
  if "$java" --list-modules 2>/dev/null | grep -q '^jdk.compiler'; then
    # A JDK: every ACL in one JVM (CreateAcls.java, launched from source).
    "$java" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$log4j_file" -Dlog4j2.level=WARN \
      -cp "$libs/*" "$here/CreateAcls.java" "$host:$port" "$admin_config" "$here/acls.conf" </dev/null >>"$data/acls.log" 2>&1 ||
      { tail -n 20 "$data/acls.log" >&2; say "could not create the ACLs of acls.conf"; return 1; }
  else
    # A JRE only: one kafka-acls run per line.
    while read -r who ops kind name; do
      case "$kind" in topic | group-prefix) ;; *) say "acls.conf: unknown resource kind '$kind'"; return 1 ;; esac
      mapfile -t args < <(acl_args "$who" "$ops" "$kind" "$name") && [ "${#args[@]}" -gt 0 ] || return 1
      acl "$port" "${args[@]}" || { tail -n 20 "$data/acls.log" >&2; say "could not create ACLs for $who on $name"; return 1; }
    done < <(acl_spec)
  fi
  echo "$sum" >"$acl_marker"
  say "ACLs applied in $((($(date +%s%N) - t0) / 1000000)) ms"
}

start() {
  local fresh=false
  for arg in "$@"; do
    case "$arg" in
      --fresh) fresh=true ;;
      *) die "unknown option for start: $arg" ;;
    esac
  done
  take_lock
  local pid
  pid="$(running_pid)"
  if [ -n "$pid" ] && ! $fresh && [ ! -f "$credentials_file" ]; then
    say "the running broker (pid $pid) accepts unauthenticated clients; replacing it"
    fresh=true
  fi
  if [ -n "$pid" ]; then
    if ! $fresh; then
      say "already running (pid $pid, data $data)"
      # acls.conf may have changed since it started (a no-op otherwise).
      apply_acls "$(recorded KAFKA_PORT)" || die "the broker runs but its ACLs could not be applied; log: $data/acls.log"
      if [ -n "${KAFKA_PORT:-}" ] && [ "$KAFKA_PORT" != "$(recorded KAFKA_PORT)" ]; then
        say "note: it listens on $(recorded KAFKA_PORT), not KAFKA_PORT=$KAFKA_PORT (stop it first to move it)"
      fi
      print_brokers "$(recorded KAFKA_PORT)"
      return 0
    fi
    stop_locked
  fi
  check_java
  fetch
  if ! $fresh && [ -f "$log_dirs/meta.properties" ] && [ ! -f "$credentials_file" ]; then
    # Formatted by an earlier kafka.sh without SASL users: its metadata cannot be given them.
    say "$data predates authentication; starting it fresh"
    fresh=true
  fi
  if $fresh; then
    case "$data" in /|"$HOME"|.|"") die "refusing to wipe data dir '$data'" ;; esac
    say "wiping $data"
    rm -rf "$data"
  fi
  mkdir -p "$data"
  [ -f "$credentials_file" ] || make_credentials

  # Ports: explicit env wins; otherwise the ones this data dir ran with last, so `stop` then
  # `start` brings the broker back where its clients expect it.
  local port controller_port
  port="${KAFKA_PORT:-$(recorded KAFKA_PORT)}"
  port="${port:-19092}"
  controller_port="${KAFKA_CONTROLLER_PORT:-}"
  if [ -z "$controller_port" ] && [ "$(recorded KAFKA_PORT)" = "$port" ]; then
    controller_port="$(recorded KAFKA_CONTROLLER_PORT)"
  fi
  controller_port="${controller_port:-$((port + 1))}"
  if [ -z "${KAFKA_PORT:-}" ] && [ -z "${KAFKA_CONTROLLER_PORT:-}" ]; then
    # No ports were asked for: step past ones another process holds (say, a broker of another
    # checkout), so a test run on a shared machine still gets a broker of its own.
    local tries=0
    while { port_in_use "$port" || port_in_use "$controller_port"; } && [ "$tries" -lt 50 ]; do
      port=$((port + 2)) controller_port=$((port + 1)) tries=$((tries + 1))
    done
  fi
  for p in "$port" "$controller_port"; do
    if port_in_use "$p"; then
      die "port $host:$p is taken by another process; choose KAFKA_PORT (and KAFKA_CONTROLLER_PORT)"
    fi
  done

  write_config "$port" "$controller_port"
  local java
  java="$(java_bin)"
  local cp="$libs/*"
  local log4j=(-Dlog4j2.configurationFile="$log4j_file")
  if [ ! -f "$log_dirs/meta.properties" ]; then
    local cluster_id # a random Kafka Uuid: 16 bytes, URL-safe base64 without padding
    cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    local scram=() name
    for name in "${principals[@]}"; do
      scram+=(--add-scram "$scram_mechanism=[name=$name,password=$(credential "$name")]")
    done
    "$java" -Xmx256m -XX:TieredStopAtLevel=1 "${log4j[@]}" -Dlog4j2.level=WARN -cp "$cp" \
      kafka.tools.StorageTool format --cluster-id="$cluster_id" --config "$props_file" --ignore-formatted "${scram[@]}" \
      >>"$data/format.log" 2>&1 || { tail -n 20 "$data/format.log" >&2; die "formatting $log_dirs failed"; }
  fi

  [ -f "$log_file" ] && mv -f "$log_file" "$log_file.1"
  local t0
  t0=$(date +%s%N)
  # setsid: the broker outlives the shell, test worker or nx task that started it, and signals
  # sent to their process groups do not reach it. 9>&-: it must not inherit (and hold) the lock.
  # shellcheck disable=SC2086 # heap and JVM options are lists of flags
  setsid "$java" $heap_opts $perf_opts ${KAFKA_JVM_OPTS:-} \
    "${log4j[@]}" -cp "$cp" kafka.Kafka "$props_file" \
    </dev/null >>"$log_file" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pid_file"

  local deadline=$(($(date +%s) + start_timeout))
  until grep -q 'Kafka Server started' "$log_file" 2>/dev/null && port_in_use "$port"; do
    # Not running_pid: for a moment after the fork the child is still bash, not java.
    if ! alive "$pid"; then
      tail -n 30 "$log_file" >&2 || true
      rm -f "$pid_file"
      die "the broker exited during start; log: $log_file"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 30 "$log_file" >&2 || true
      stop_locked
      die "the broker did not start within ${start_timeout}s; log: $log_file"
    fi
    sleep 0.1
  done
  if ! apply_acls "$port"; then
    stop_locked
    die "the broker started but its ACLs could not be applied; log: $data/acls.log"
  fi
  printf 'KAFKA_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\nKAFKA_BROKERS=%s:%s\n' \
    "$port" "$controller_port" "$host" "$port" >"$state_file"
  say "Kafka $kafka_version started in $((($(date +%s%N) - t0) / 1000000)) ms (pid $pid, data $data, log $log_file)"
  print_brokers "$port"
}

stop_locked() {
  local pid
  pid="$(running_pid)"
  if [ -z "$pid" ]; then
    rm -f "$pid_file"
    say "not running"
    return 0
  fi
  local t0
  t0=$(date +%s%N)
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(($(date +%s) + stop_timeout))
  while [ -n "$(running_pid)" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "no graceful exit within ${stop_timeout}s; killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      while [ -n "$(running_pid)" ]; do sleep 0.1; done
      break
    fi
    sleep 0.1
  done
  rm -f "$pid_file"
  say "stopped pid $pid in $((($(date +%s%N) - t0) / 1000000)) ms"
}

stop() {
  take_lock
  stop_locked
}

status() {
  local pid
  pid="$(running_pid)"
  if [ -z "$pid" ]; then
    say "not running (data $data)"
    return 3
  fi
  print_brokers "$(recorded KAFKA_PORT)"
  echo "KAFKA_PID=$pid"
}

logs() {
  echo "$log_file"
  [ -f "$log_file" ] && tail -n "${KAFKA_LOG_LINES:-40}" "$log_file"
  return 0
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch) take_lock; check_java; fetch ;;
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  logs) logs ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
