#!/usr/bin/env bash
# Commit-to-visible latency of `sluice run` (ON DEMAND, never in CI): MariaDB COMMIT -> the row
# visible at the sink, at a steady rate, for the file sink, the Redis sink (stream mode: XREAD
# BLOCK sees each entry) and the Kafka sink on the Kafka test broker (a consumer sees each
# record; read_committed under exactly-once), each at-least-once and exactly-once.
#
#   tools/services.sh start /tmp/sluice-bench        # MariaDB and Redis (see tools/services.sh)
#   cmake --build build --target sluice kafka_test_broker latency_bench
#   tools/bench/latency_bench.sh /tmp/sluice-bench/services.env [seconds=60] [rate=5000]
#
# Environment: BENCH_SINKS (default "file redis kafka"), BENCH_DELIVERY (default
# "at-least-once exactly-once"), BENCH_ROWS_PER_TXN (default 10), BENCH_CHECKPOINT (the
# pipeline's checkpoint.interval, default 1s: under exactly-once a Kafka record is visible only
# when the checkpoint commits its transaction, so the interval bounds that latency).
# Each case: a fresh table, a fresh `sluice run` started at the server's current position and
# ready (/readyz), then latency_bench writes `seconds` x `rate` rows and reports p50/p99/p99.9/
# max of the rows after the first second, and fails if any row is not visible 30 s after the
# last commit.
set -euo pipefail

env_file=${1:?usage: $0 SERVICES_ENV [seconds] [rate]}
seconds=${2:-60}
rate=${3:-5000}
sinks=${BENCH_SINKS:-file redis kafka}
deliveries=${BENCH_DELIVERY:-at-least-once exactly-once}
per_txn=${BENCH_ROWS_PER_TXN:-10}
checkpoint=${BENCH_CHECKPOINT:-1s}
# shellcheck source=tools/bench/bench_common.sh
source "$(dirname "$0")/bench_common.sh"
bench_setup "$env_file" latency-bench cdc/daemon/sluice tests/fakes/kafka/kafka_test_broker \
  tools/bench/latency_bench
sluice=${BENCH_SLUICE:-$build/cdc/daemon/sluice}  # another binary to compare, e.g. a copy of an older build
broker_bin=$build/tests/fakes/kafka/kafka_test_broker
tool=$build/tools/bench/latency_bench

"$broker_bin" --port 0 --port-file "$work/tb.ports" --partitions 1 2>"$work/tb.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/tb.ports ]] && break; sleep 0.05; done
bootstrap=127.0.0.1:$(cut -d' ' -f1 "$work/tb.ports")

# sink_yaml <sink> <name>: the sink section of the pipeline.
sink_yaml() {
  case $1 in
    file) printf 'sink:\n  type: file\n  path: %s\n  value.format: upsert\n' "$work/$2.jsonl" ;;
    redis) printf 'sink:\n  type: redis\n  host: %s\n  port: %s\n  mode: stream\n  key: "lat:%s"\n  value.format: upsert\n' \
      "$SLUICE_REDIS_HOST" "$SLUICE_REDIS_PORT" "$2" ;;
    kafka) printf 'sink:\n  type: kafka\n  properties.bootstrap.servers: %s\n  value.format: upsert\n' "$bootstrap" ;;
  esac
}

# observe_args <sink> <name> <delivery>: how latency_bench watches that sink.
observe_args() {
  case $1 in
    file) echo "--file $work/$2.jsonl" ;;
    redis) echo "--redis $SLUICE_REDIS_HOST:$SLUICE_REDIS_PORT:lat:$2" ;;
    kafka) echo "--kafka $bootstrap:$2.bench_lat.t" $([[ $3 == exactly-once ]] && echo --read-committed) ;;
  esac
}

echo "latency_bench: ${seconds}s at ${rate} rows/s, ${per_txn} rows per transaction, checkpoint.interval $checkpoint"
status=0
for sink in $sinks; do
  for delivery in $deliveries; do
    name="lat-$sink-${delivery%%-*}"
    port=$(free_port)
    : > "$work/$name.jsonl"
    # The Redis sink resumes from its offset key in Redis (Redis is the truth about its data):
    # a key left by an earlier run would replay that run's rows into the stream.
    if [[ $sink == redis ]]; then
      redis-cli -h "$SLUICE_REDIS_HOST" -p "$SLUICE_REDIS_PORT" DEL "lat:$name" "sluice:offset:$name" >/dev/null
    fi
    # The table must exist before sluice starts (it reads the schema when the first row comes,
    # but a table created later is a DDL the bench does not want in the window).
    mariadb --socket="$SLUICE_MARIADB_ROOT_SOCKET" -uroot -e \
      "CREATE DATABASE IF NOT EXISTS bench_lat; DROP TABLE IF EXISTS bench_lat.t;
       CREATE TABLE bench_lat.t (id BIGINT PRIMARY KEY, pad VARCHAR(64) NOT NULL)"
    {
      cat <<YAML
source:
  type: mysql
  hostname: $SLUICE_MARIADB_HOST
  port: $SLUICE_MARIADB_PORT
  username: $SLUICE_MARIADB_USER
  password: $SLUICE_MARIADB_PASSWORD
  tables: bench_lat\.t
  server-id: 5795
  scan.startup.mode: latest-offset
  heartbeat.interval: 1s
YAML
      sink_yaml "$sink" "$name"
      cat <<YAML
pipeline:
  name: $name
  delivery: $delivery
  state.dir: $work/state-$name
  checkpoint.interval: $checkpoint
  metrics.port: $port
YAML
    } > "$work/$name.yaml"
    "$sluice" run "$work/$name.yaml" 2>"$work/$name.log" &
    pid=$!
    ready=0
    for _ in $(seq 300); do
      curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && { ready=1; break; }
      sleep 0.05
    done
    if ((!ready)); then echo "$name: sluice not ready in 15 s; log:" >&2; tail "$work/$name.log" >&2; exit 1; fi
    # shellcheck disable=SC2046
    if out=$("$tool" --host "$SLUICE_MARIADB_HOST" --port "$SLUICE_MARIADB_PORT" --user "$SLUICE_MARIADB_USER" \
        --password "$SLUICE_MARIADB_PASSWORD" --rate "$rate" --seconds "$seconds" --rows-per-txn "$per_txn" \
        $(observe_args "$sink" "$name" "$delivery") 2>&1); then
      printf '%-6s %-14s %s\n' "$sink" "$delivery" "$out"
    else
      printf '%-6s %-14s FAILED: %s\n' "$sink" "$delivery" "$out"
      status=1
    fi
    kill -TERM $pid && wait $pid || true
  done
done
exit $status
