#!/bin/bash
# One-shot cluster set-up, idempotent (safe to run again after a change):
#   1. SCRAM users: the hub, one per agency, and `monitor` for the lag exporter;
#   2. every hub topic with its partition count, replication 3, min ISR 2;
#   3. ACLs: an agency may WRITE only intake.<agency> and READ only receipts.<agency>;
#      the hub reads intake and writes (and reads back) the rest.
# Topic names and partition counts mirror hub/kafka/topics.py (cases has ONE partition; fold has
# HUB_FOLD_PARTITIONS, which must equal the hub's own HUB_FOLD_PARTITIONS).
set -euo pipefail

: "${KAFKA_ADMIN_PASSWORD:?}" "${HUB_KAFKA_PASSWORD:?}" "${MONITOR_KAFKA_PASSWORD:?}" "${HUB_PARTITIONS:?}" \
  "${HUB_FOLD_PARTITIONS:?}"
BOOT="${KAFKA_BOOTSTRAP:-kafka-1:9092,kafka-2:9092,kafka-3:9092}"
PREFIX="${HUB_TOPIC_PREFIX:-}"
APP_ID="${PREFIX}${HUB_APP_ID:-ipx-hub}"
RF="${HUB_REPLICATION_FACTOR:-3}"
MIN_ISR="${HUB_MIN_INSYNC_REPLICAS:-2}"
# Keep records (-1 = forever): volumes are small (docs/CAPACITY.md) and intake history lets the
# hub re-read events after a database restore to an earlier point (deploy/README.md).
RETENTION_MS="${HUB_TOPIC_RETENTION_MS:--1}"
AGENCIES="market_regulation customs police procuratorate court"
BIN="${KAFKA_BIN:-/opt/kafka/bin}"  # overridable so tests can run this script against stubs
ADMIN="$(mktemp)"

cat > "$ADMIN" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPS

echo "waiting for the cluster at $BOOT"
for attempt in $(seq 1 60); do
  if "$BIN/kafka-topics.sh" --bootstrap-server "$BOOT" --command-config "$ADMIN" --list >/dev/null 2>&1; then
    break
  fi
  if [ "$attempt" -eq 60 ]; then echo "cluster not reachable" >&2; exit 1; fi
  sleep 2
done

scram_user() {  # name password
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOT" --command-config "$ADMIN" --alter \
    --entity-type users --entity-name "$1" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]"
}

topic() {  # name partitions [extra kafka-topics.sh arguments]
  local name="$1" partitions="$2"
  shift 2
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOT" --command-config "$ADMIN" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$RF" \
    --config "min.insync.replicas=$MIN_ISR" --config "unclean.leader.election.enable=false" \
    --config "retention.ms=$RETENTION_MS" "$@"
}

acl() {  # arguments passed to kafka-acls.sh --add
  "$BIN/kafka-acls.sh" --bootstrap-server "$BOOT" --command-config "$ADMIN" --add --force "$@"
}

scram_user hub "$HUB_KAFKA_PASSWORD"
scram_user monitor "$MONITOR_KAFKA_PASSWORD"
for agency in $AGENCIES; do
  var="AGENCY_PASSWORD_$(echo "$agency" | tr '[:lower:]' '[:upper:]')"
  password="${!var:?$var is required}"
  # Principal names match the Kubernetes KafkaUsers (no underscores in Kubernetes names).
  user="agency-${agency//_/-}"
  scram_user "$user" "$password"
  topic "${PREFIX}intake.${agency}" "$HUB_PARTITIONS"
  topic "${PREFIX}receipts.${agency}" "$HUB_PARTITIONS"
  # The agency's principal: produce to its own intake, consume its own receipts, nothing else.
  acl --allow-principal "User:${user}" --operation Write --operation Describe \
      --topic "${PREFIX}intake.${agency}"
  acl --allow-principal "User:${user}" --operation Read --operation Describe \
      --topic "${PREFIX}receipts.${agency}"
  acl --allow-principal "User:${user}" --operation Read \
      --group "connector.${agency}" --resource-pattern-type prefixed
done

topic "${PREFIX}cases" 1
# No records: its partitions are the fold partitions; the hub consumer group's assignment of
# them says which worker evaluates and writes which matters (ADR 0030).
topic "${PREFIX}fold" "$HUB_FOLD_PARTITIONS"
for name in links alerts dlq audit; do topic "${PREFIX}${name}" "$HUB_PARTITIONS"; done
# Compacted: the latest record per party id is its state (issue 19).
for name in party-risk targeting; do topic "${PREFIX}${name}" "$HUB_PARTITIONS" --config cleanup.policy=compact; done
topic "${APP_ID}-__assignor-__leader" 1

# The hub: read every intake; write receipts and the hub's own topics (read them back too).
acl --allow-principal User:hub --operation Read --operation Describe \
    --topic "${PREFIX}intake." --resource-pattern-type prefixed
acl --allow-principal User:hub --operation Write --operation Describe \
    --topic "${PREFIX}receipts." --resource-pattern-type prefixed
for name in cases fold links alerts dlq audit party-risk targeting; do
  acl --allow-principal User:hub --operation Read --operation Write --operation Describe \
      --topic "${PREFIX}${name}"
done
# Faust's internal topics and the consumer group are named after the app id.
acl --allow-principal User:hub --operation All --topic "$APP_ID" --resource-pattern-type prefixed
acl --allow-principal User:hub --operation Read --operation Describe \
    --group "$APP_ID" --resource-pattern-type prefixed
acl --allow-principal User:hub --operation IdempotentWrite --cluster

# The lag exporter: may see topics, offsets and groups, never read or write records.
acl --allow-principal User:monitor --operation Describe --operation DescribeConfigs --topic '*'
acl --allow-principal User:monitor --operation Describe --group '*'
acl --allow-principal User:monitor --operation Describe --cluster

echo "cluster initialised: users, topics and ACLs in place"
"$BIN/kafka-acls.sh" --bootstrap-server "$BOOT" --command-config "$ADMIN" --list
