#!/bin/bash
# The compose Kafka broker (apache/kafka image): single-node KRaft with SASL/SCRAM-SHA-512 on the
# client listener and the ACLs of tools/kafka/acls.conf, as tools/kafka/kafka.sh runs it for tests.
# SCRAM users are created when the data volume is formatted; ACLs once per acls.conf version.
set -euo pipefail

bin=/opt/kafka/bin
data=/var/lib/kafka/data
props=/tmp/server.properties
admin_config=/tmp/admin.properties
acls=/etc/payer-access/kafka/acls.conf
mechanism=SCRAM-SHA-512
principals=(admin registration authorization fhir)

declare -A passwords
for name in "${principals[@]}"; do
  var="KAFKA_${name^^}_PASSWORD"
  [ -n "${!var:-}" ] || { echo "broker.sh: set $var in docker/.env (each service authenticates to Kafka with its own password)" >&2; exit 78; }
  passwords[$name]="${!var}"
done
# The controller listener's PLAIN password is only ever used inside this JVM: new on every start.
controller_password="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')"

umask 077
cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=CLIENT://:9092,CONTROLLER://localhost:9093
advertised.listeners=CLIENT://kafka:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
log.dirs=$data
sasl.enabled.mechanisms=$mechanism
sasl.mechanism.inter.broker.protocol=$mechanism
listener.name.client.sasl.enabled.mechanisms=$mechanism
listener.name.client.${mechanism,,}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${passwords[admin]}";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$controller_password" user_controller="$controller_password";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:controller
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
cat >"$admin_config" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=$mechanism
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${passwords[admin]}";
PROPS

if [ ! -f "$data/meta.properties" ]; then
  scram=()
  for name in "${principals[@]}"; do scram+=(--add-scram "$mechanism=[name=$name,password=${passwords[$name]}]"); done
  "$bin/kafka-storage.sh" format --cluster-id "$("$bin/kafka-storage.sh" random-uuid)" --config "$props" "${scram[@]}"
fi

"$bin/kafka-server-start.sh" "$props" &
broker=$!
trap 'kill -TERM "$broker" 2>/dev/null || true' TERM INT

until "$bin/kafka-broker-api-versions.sh" --bootstrap-server localhost:9092 --command-config "$admin_config" >/dev/null 2>&1; do
  kill -0 "$broker" 2>/dev/null || { wait "$broker"; exit $?; }
  sleep 2
done
sum="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$acls" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$data/acls.sha256" 2>/dev/null || true)" != "$sum" ]; then
  while read -r who ops kind name; do
    args=()
    for principal in ${who//,/ }; do args+=(--allow-principal "User:$principal"); done
    for op in ${ops//,/ }; do args+=(--operation "$op"); done
    case "$kind" in
      topic) args+=(--topic "$name") ;;
      group-prefix) args+=(--group "$name" --resource-pattern-type prefixed) ;;
      *) echo "broker.sh: acls.conf: unknown resource kind '$kind'" >&2; exit 78 ;;
    esac
    "$bin/kafka-acls.sh" --bootstrap-server localhost:9092 --command-config "$admin_config" --add --force "${args[@]}" >/dev/null </dev/null
  done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$acls")
  echo "$sum" >"$data/acls.sha256"
fi
# The health check waits for this: services start only once the ACLs are in place.
touch /tmp/acls-ready
wait "$broker"
