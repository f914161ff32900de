#!/bin/bash
# Starts one combined broker+controller of the 3-node KRaft cluster.
#
# Why not the image's own entrypoint: SCRAM credentials for the inter-broker listener must be in
# the cluster metadata before the first broker starts (KIP-900), which only
# `kafka-storage.sh format --add-scram` does; the stock launch script formats without it.
# The controller listener uses SASL PLAIN (static JAAS) because controllers cannot read SCRAM
# credentials from the metadata they are still loading.
set -euo pipefail

: "${KAFKA_NODE_ID:?}" "${CLUSTER_ID:?}" "${KAFKA_CONTROLLER_PASSWORD:?}"
: "${KAFKA_BROKER_PASSWORD:?}" "${KAFKA_ADMIN_PASSWORD:?}" "${KAFKA_EXTERNAL_ADVERTISED:?}"
host="kafka-${KAFKA_NODE_ID}"
# /opt/kafka/config is writable in the apache/kafka image (its own entrypoint writes there).
config=/opt/kafka/config/hub-server.properties

cat > "$config" <<PROPS
process.roles=broker,controller
node.id=${KAFKA_NODE_ID}
controller.quorum.voters=1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093
controller.listener.names=CONTROLLER
listeners=INTERNAL://:9091,CLIENT://:9092,CONTROLLER://:9093,EXTERNAL://:9094
advertised.listeners=INTERNAL://${host}:9091,CLIENT://${host}:9092,EXTERNAL://${KAFKA_EXTERNAL_ADVERTISED}
listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="${KAFKA_CONTROLLER_PASSWORD}" user_controller="${KAFKA_CONTROLLER_PASSWORD}";
listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${KAFKA_BROKER_PASSWORD}";
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.external.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:controller;User:broker;User:admin
auto.create.topics.enable=false
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
unclean.leader.election.enable=false
log.dirs=/var/lib/kafka/data
PROPS

# Credentials for the healthcheck's admin client (inside the container only).
cat > /opt/kafka/config/hub-client.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${KAFKA_BROKER_PASSWORD}";
PROPS

/opt/kafka/bin/kafka-storage.sh format --ignore-formatted \
  --cluster-id "$CLUSTER_ID" --config "$config" \
  --add-scram "SCRAM-SHA-512=[name=broker,password=${KAFKA_BROKER_PASSWORD}]" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"

exec /opt/kafka/bin/kafka-server-start.sh "$config"
