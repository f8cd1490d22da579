#!/usr/bin/env bash
# Runs sluice's exactly-once Kafka tests against a real Kafka (docker-compose.yml here) instead of
# the test broker: the same binaries, pointed at it with SLUICE_KAFKA_BOOTSTRAP. Needs Docker with
# compose, a built tree and the test services (MariaDB) of tools/services.sh:
#
#   cmake --build build --target sluice mysql_to_kafka_it kafka_kill_restart_it
#   tools/services.sh start /tmp/sluice-kafka-real
#   deploy/kafka/run-tests.sh /tmp/sluice-kafka-real/services.env
#
# What runs against the real broker: mysql_to_kafka_it (3 tables × 3 formats, golden files,
# murmur2 partitions), kafka_kill_restart_it's SIGKILL and fencing cases; then the broker is
# stopped for SLUICE_KAFKA_BROKER_DOWN_SECONDS (default 30) under a running pipeline and started
# again. The broker-down case of kafka_kill_restart_it and kafka_sink_it stay on the test broker
# (they start and kill brokers of their own).
set -euo pipefail

env_file=${1:?usage: $0 SERVICES_ENV}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${SLUICE_BUILD:-$root/build}
compose=(docker compose -f "$here/docker-compose.yml")

"${compose[@]}" up -d --wait
trap '"${compose[@]}" down -v' EXIT
export SLUICE_SERVICES_ENV=$env_file
export SLUICE_KAFKA_BOOTSTRAP=127.0.0.1:19092

"$build/tests/integration/mysql_to_kafka_it"
"$build/tests/integration/kafka_kill_restart_it" -tc='*SIGKILLs*,*second instance*'

# The broker away for a while under a running pipeline: sluice must wait and resume, exactly once.
down=${SLUICE_KAFKA_BROKER_DOWN_SECONDS:-30}
"$build/tests/integration/kafka_kill_restart_it" -tc='*SIGKILLs*' &
test_pid=$!
sleep 15
"${compose[@]}" stop kafka
sleep "$down"
"${compose[@]}" start kafka
wait $test_pid
echo "deploy/kafka/run-tests.sh: all passed against $(docker inspect --format '{{.Config.Image}}' sluice-kafka)"
