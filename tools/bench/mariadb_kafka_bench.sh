#!/usr/bin/env bash
# Binlog catch-up into Kafka, exactly-once and at-least-once, against the Kafka test broker
# (tests/fakes/kafka) and librdkafka's mock cluster, side by side in the same run with a plain
# librdkafka producer (idempotent, linger.ms=5) sending the same number of same-size keyed
# records to the same broker, with the same two headers as sluice's (BENCH_HEADERS, default true). On demand, never in CI.
#
#   tools/services.sh start /tmp/sluice-bench     # MariaDB (see tools/services.sh)
#   cmake --build build --target sluice kafka_test_broker kafka_bench_tool
#   tools/bench/mariadb_kafka_bench.sh /tmp/sluice-bench/services.env [rows]
#
# Steps: note the binlog position, write <rows> rows into bench_kafka.kv in 1000-row INSERTs,
# then for each broker and delivery mode time a fresh `sluice run` (specific-offset start at that
# position, checkpoint.interval $BENCH_CHECKPOINT (default 1s, the pipeline's default and the Redis
# bench's; each checkpoint drains the producer before the offset record), value.format $BENCH_FORMAT (default upsert; debezium-json has source.query null unless the
# source sets include.query: true, which made a record 36 kB for 1000-row INSERTs), 3 partitions) from its start until its /metrics count the last record
# as committed (start-up, connect and topic creation included; also printed: from the first
# record handed to the sink to the last acknowledged by the broker — the peer's end, its last
# delivery report — and to the last committed; the start-up; and the CPU seconds sluice used,
# all threads; BENCH_THREADS=1 adds each thread's);
# then the plain producer (its CPU seconds too: on a shared machine CPU per record is the
# steadier comparison).
set -euo pipefail

env_file=${1:?usage: $0 SERVICES_ENV [rows]}
rows=${2:-200000}
format=${BENCH_FORMAT:-upsert}
checkpoint=${BENCH_CHECKPOINT:-1s}
# shellcheck source=tools/bench/bench_common.sh
source "$(dirname "$0")/bench_common.sh"
bench_setup "$env_file" kafka-bench cdc/daemon/sluice tests/fakes/kafka/kafka_test_broker \
  tools/bench/kafka_bench_tool
sluice=$build/cdc/daemon/sluice
broker_bin=$build/tests/fakes/kafka/kafka_test_broker
tool=$build/tools/bench/kafka_bench_tool
sql=(mariadb --socket="$SLUICE_MARIADB_ROOT_SOCKET" -uroot)

"${sql[@]}" -e "CREATE DATABASE IF NOT EXISTS bench_kafka; DROP TABLE IF EXISTS bench_kafka.kv;
  CREATE TABLE bench_kafka.kv (id INT PRIMARY KEY, name VARCHAR(32) NOT NULL, qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL)"
read -r binlog_file binlog_pos < <("${sql[@]}" -N -e "SHOW MASTER STATUS" | awk '{print $1, $2}')
"$root/tools/bench/kv_rows.py" bench_kafka.kv "$rows" > "$work/load.sql"
"${sql[@]}" < "$work/load.sql"

# The brokers: the test broker (in memory, 3 partitions for auto-created topics) and the mock.
"$broker_bin" --port 0 --port-file "$work/tb.ports" --partitions 3 2>"$work/tb.log" &
pids+=($!)
mock_topics=()
for mode in eo alo; do mock_topics+=("kb-mock-$mode.bench_kafka.kv:3" "kb-mock-$mode.offsets:1"); done
"$tool" mock "$work/mock.bootstrap" "${mock_topics[@]}" peer-mock:3 2>"$work/mock.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/tb.ports && -s $work/mock.bootstrap ]] && break; sleep 0.05; done
tb_bootstrap=127.0.0.1:$(cut -d' ' -f1 "$work/tb.ports")
mock_bootstrap=$(cat "$work/mock.bootstrap")

metric() {  # metric <port> <name> <topic>: the value of that series, 0 when absent
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" -v t="topic=\"$3\"" \
    'index($0, n"{") == 1 && index($0, t) { v = $NF } END { print v + 0 }'
}

# run_sluice <name> <bootstrap> <delivery> <topic.create>: prints "<seconds> <records> <bytes>
# <seconds from the first record written to the last committed> <CPU seconds of sluice>
# <seconds from the first record written to the last acknowledged> <start-up seconds>".
run_sluice() {
  local name=$1 bootstrap=$2 delivery=$3 create=$4 port topic
  port=$(free_port)
  topic="$name.bench_kafka.kv"
  cat > "$work/$name.yaml" <<YAML
source:
  type: mysql
  hostname: $SLUICE_MARIADB_HOST
  port: $SLUICE_MARIADB_PORT
  username: $SLUICE_MARIADB_USER
  password: $SLUICE_MARIADB_PASSWORD
  tables: bench_kafka\.kv
  server-id: 5790
  scan.startup.mode: specific-offset
  scan.startup.specific-offset.file: $binlog_file
  scan.startup.specific-offset.pos: $binlog_pos
sink:
  type: kafka
  properties.bootstrap.servers: $bootstrap
  topic.partitions: 3
  topic.create: $create
  value.format: $format
  headers: ${BENCH_HEADERS:-true}
pipeline:
  name: $name
  delivery: $delivery
  state.dir: $work/state-$name
  checkpoint.interval: $checkpoint
  metrics.port: $port
YAML
  local t0 t1 t_first t_acked pid times
  t0=$(date +%s.%N)
  "$sluice" run "$work/$name.yaml" 2>"$work/$name.log" &
  pid=$!
  # Three moments, from one polling process: the first event handed to the sink; every record
  # acknowledged by the broker (the peer's end: its last delivery report); every record
  # committed (counted at the checkpoint, so up to one checkpoint.interval later).
  # BENCH_PERF=<dir>: profile one second of each catch-up with perf.
  times=$("$root/tools/bench/kafka_bench_poll.py" "$port" "$pid" "$rows" "$topic" \
    ${BENCH_PERF:+"$BENCH_PERF/$name.data"}) ||
    { echo "sluice exited; log:" >&2; tail "$work/$name.log" >&2; exit 1; }
  read -r t_first t_acked t1 <<< "$times"
  local bytes
  bytes=$(metric "$port" sluice_kafka_bytes_total "$topic")
  local cpu  # utime + stime of every thread, in clock ticks
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' /proc/$pid/stat)
  # BENCH_THREADS=1: CPU seconds of each of sluice's threads, on stderr.
  if [[ -n ${BENCH_THREADS:-} ]]; then
    echo "$name threads (CPU s):" $(for t in /proc/$pid/task/*; do
      awk -v hz="$(getconf CLK_TCK)" '{ sub(/^[^(]*\(/, ""); split($0, a, ") "); split(a[2], f, " ");
        printf "%s=%.2f ", a[1], (f[12] + f[13]) / hz }' "$t/stat"; done) >&2
  fi
  kill -TERM $pid && wait $pid
  echo "$(python3 -c "print($t1 - $t0)") $rows $bytes $(python3 -c "print($t1 - $t_first)") $cpu" \
    "$(python3 -c "print($t_acked - $t_first)") $(python3 -c "print($t_first - $t0)")"
}

results=()
for broker in tb mock; do
  bootstrap=$tb_bootstrap create=true
  [[ $broker == mock ]] && bootstrap=$mock_bootstrap create=false  # the mock's CreateTopics never answers
  eo=$(run_sluice "kb-$broker-eo" "$bootstrap" exactly-once "$create")
  alo=$(run_sluice "kb-$broker-alo" "$bootstrap" at-least-once "$create")
  read -r _ n bytes _ <<< "$eo"
  key=13  # {"id":NNNNNN}
  value=$(( bytes / n - key ))
  peer_headers=()  # sluice's two headers, same names and sizes: "sluice.op" and "<file>:<pos>"
  if [[ ${BENCH_HEADERS:-true} == true ]]; then
    peer_headers=(sluice.op:1 "sluice.position:$(( ${#binlog_file} + 1 + ${#binlog_pos} ))")
  fi
  peer=$(${BENCH_PEER_PRELOAD:+env LD_PRELOAD=$BENCH_PEER_PRELOAD} "$tool" produce "$bootstrap" "peer-$broker" "$n" "$key" "$value" "${peer_headers[@]}")
  results+=("$broker|$eo|$alo|$peer")
done

python3 - "$rows" "$format" "$checkpoint" "${results[@]}" <<'PY'
import sys
rows, fmt, checkpoint = int(sys.argv[1]), sys.argv[2], sys.argv[3]
names = {"tb": "Kafka test broker", "mock": "librdkafka mock cluster"}
# The poller samples every 10 ms: two moments seen in the same sample are at most that apart,
# so a shorter span is counted as one sample (the rate printed is then a lower bound, marked >=).
POLL = 0.01
clamped = False
def span(secs):
    global clamped
    if secs < POLL:
        clamped = True
        return POLL
    return secs
print(f"mariadb_kafka_bench: {rows} rows of bench_kafka.kv as {fmt}, 3 partitions, checkpoint.interval {checkpoint}")
for r in sys.argv[4:]:
    broker, eo, alo, peer = r.split("|")
    peer_s, peer_n, peer_b, peer_cpu = map(float, peer.split())
    peer_us = peer_cpu / peer_n * 1e6
    peer_rate = peer_n / peer_s
    print(f"{names[broker]}:")
    for label, run in (("sluice exactly-once ", eo), ("sluice at-least-once", alo)):
        s, n, b, steady, cpu, acked, startup = map(float, run.split())
        steady, acked = span(steady), span(acked)
        us = cpu / n * 1e6
        print(f"  {label}  first->acked {n / acked:7.0f} rows/s {b / acked / 1e6:5.1f} MB/s {n / acked / peer_rate:.2f}x"
              f" | first->committed {n / steady:7.0f} {n / steady / peer_rate:.2f}x"
              f" | start->committed {n / s:7.0f} {n / s / peer_rate:.2f}x (start-up {startup:.2f} s)"
              f" | CPU {us:4.2f} us/row ({peer_us / us:.2f}x)  ({b / n:.0f} B/record)")
    print(f"  plain producer        first->acked {peer_rate:7.0f} msg/s  {peer_b / peer_s / 1e6:5.1f} MB/s 1.00x"
          f" | CPU {peer_us:4.2f} us/msg")
if clamped:
    print("  (a span shorter than one 10 ms poll was counted as 10 ms: those rates are lower bounds)")
PY
