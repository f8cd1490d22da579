#!/usr/bin/env bash
# Binlog catch-up into Doris (the Doris test server, exactly-once: precommitted Stream Loads
# committed at each checkpoint) against curl Stream Loads of the same JSON lines, in the same
# batch sizes, with the same two-phase commit, to the same server, in the same run. On demand,
# never in CI.
#
#   cmake --build build --target sluice doris_test_server
#   tools/services.sh start /tmp/sluice-bench     # MariaDB
#   tools/bench/doris_bench.sh /tmp/sluice-bench/services.env [rows] [rows per load] [sequence]
#
# `sequence` as the fourth argument turns on sink.sequence-column: source-position, and the curl
# side loads the same lines with a __DORIS_SEQUENCE_COL__ of the same size into a table with a
# sequence column. SLUICE_BUILD picks another build (a "before" build for a comparison). The
# sluice line reports its peak resident memory (VmHWM) at the end of the catch-up.
# DORIS_BENCH_CHECKPOINT_INTERVAL (default 1s) bounds how many rows one load holds (the sink
# sends its buffers at every checkpoint): 90s makes the whole catch-up one load for a memory
# measurement (its time then includes the wait for the checkpoint).
#
# Steps: start a Doris test server; pin a latest-offset start (one short run of sluice); write
# <rows> rows into bench_doris.kv in 1000-row INSERTs while sluice is stopped; time a fresh
# `sluice run` from its start until Doris's COUNT(*) is <rows> (start-up, table creation and the
# last checkpoint included); then write the same rows as the JSON lines sluice sends, split into
# loads of <rows per load>, and time curl: PUT each load with two_phase_commit through the FE
# (307 to the BE, --location-trusted), then commit it by label, one after the other.
set -euo pipefail

env_file=${1:?usage: $0 SERVICES_ENV [rows] [rows per load]}
rows=${2:-1000000}
per_load=${3:-100000}
sequence=${4:-}
[[ -z $sequence || $sequence == sequence ]] || { echo "the fourth argument is 'sequence' or nothing" >&2; exit 2; }
# shellcheck disable=SC1090
source "$env_file"
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SLUICE_BUILD:-$root/build}
sluice=$build/cdc/daemon/sluice
server=$build/tests/fakes/doris/doris_test_server
[[ -x $sluice && -x $server ]] || { echo "build sluice and doris_test_server first" >&2; exit 2; }
work=$(mktemp -d /tmp/sluice-doris-bench.XXXXXX)
"$server" --port-file "$work/ports" --password pw 2>"$work/server.log" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [[ -s $work/ports ]] && break; sleep 0.1; done
read -r fe be control < "$work/ports"
sql=(mariadb --socket="$SLUICE_MARIADB_ROOT_SOCKET" -uroot)
doris_sql() {
  curl -s -u root:pw -X POST -H 'Content-Type: application/json' \
    -d "{\"stmt\": \"$1\"}" "http://127.0.0.1:$fe/api/query/default_cluster/bench_doris"
}

"${sql[@]}" -e "CREATE DATABASE IF NOT EXISTS bench_doris; DROP TABLE IF EXISTS bench_doris.kv;
  CREATE TABLE bench_doris.kv (id INT PRIMARY KEY, name VARCHAR(32) NOT NULL, qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL)"

cat > "$work/pipeline.yaml" <<YAML
source:
  type: mysql
  hostname: $SLUICE_MARIADB_HOST
  port: $SLUICE_MARIADB_PORT
  username: $SLUICE_MARIADB_USER
  password: $SLUICE_MARIADB_PASSWORD
  tables: bench_doris\.kv
  server-id: 5691
  scan.startup.mode: latest-offset
sink:
  type: doris
  fenodes: 127.0.0.1:$fe
  password: pw
  sink.buffer-flush.max-rows: $per_load
$([[ -n $sequence ]] && echo "  sink.sequence-column: source-position")
pipeline:
  name: doris-bench
  state.dir: $work/state
  checkpoint.interval: ${DORIS_BENCH_CHECKPOINT_INTERVAL:-1s}
  metrics.port: 0
YAML

# 1. Pin the start position.
"$sluice" run "$work/pipeline.yaml" 2>"$work/pin.log" &
pid=$!
for _ in $(seq 100); do grep -q streaming "$work/pin.log" && break; sleep 0.1; done
sleep 0.5
kill -TERM $pid && wait $pid

# 2. The backlog.
"$root/tools/bench/kv_rows.py" bench_doris.kv "$rows" > "$work/load.sql"
"${sql[@]}" < "$work/load.sql"

# 3. Catch-up.
t0=$(date +%s.%N)
"$sluice" run "$work/pipeline.yaml" 2>"$work/run.log" &
pid=$!
until doris_sql "SELECT COUNT(*) FROM kv" | grep -q "\"data\":\[\[$rows\]\]"; do
  kill -0 $pid 2>/dev/null || { echo "sluice exited; log:" >&2; tail "$work/run.log" >&2; exit 1; }
  sleep 0.05
done
t1=$(date +%s.%N)
hwm_kb=$(awk '/^VmHWM:/ {print $2}' /proc/$pid/status)
kill -TERM $pid && wait $pid

# 4. The peer: the same JSON lines (as sluice's row_json writes them) in the same batch sizes.
python3 - "$rows" "$per_load" "$work" "$sequence" <<'PY'
import sys
rows, per, work, sequence = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
for n, start in enumerate(range(1, rows + 1, per)):
    with open(f"{work}/load{n:05d}.json", "w") as f:
        for i in range(start, min(start + per, rows + 1)):
            # A sequence of the size sluice's has: binlog file 1 << 96 | offset << 32 | row.
            # As text, as sluice writes it (a LARGEINT does not fit a 64-bit JSON number).
            seq = f',"__DORIS_SEQUENCE_COL__":"{(1 << 96) | ((4 + 60 * i) << 32)}"' if sequence else ''
            f.write(f'{{"id":"{i}","name":"name-{i:08d}","qty":"{i % 97}","price":"{i % 100000}.{i % 100:02d}",'
                    f'"__DORIS_DELETE_SIGN__":0{seq}}}\n')
PY
hidden=__DORIS_DELETE_SIGN__
seq_headers=()
properties=""
if [[ -n $sequence ]]; then
  hidden=__DORIS_DELETE_SIGN__,__DORIS_SEQUENCE_COL__
  seq_headers=(-H function_column.sequence_col:__DORIS_SEQUENCE_COL__)
  properties=' PROPERTIES (\"function_column.sequence_type\" = \"largeint\")'
fi
doris_sql "CREATE TABLE kv_curl (id INT NOT NULL, name VARCHAR(96) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS AUTO$properties" | grep -q '"msg":"success"' || { echo "CREATE TABLE kv_curl failed" >&2; exit 1; }
t2=$(date +%s.%N)
for f in "$work"/load*.json; do
  label=curl_$(basename "$f" .json)
  curl -s --location-trusted -u root:pw -H "label:$label" -H format:json -H read_json_by_line:true \
    -H "hidden_columns:$hidden" "${seq_headers[@]}" -H two_phase_commit:true -T "$f" \
    "http://127.0.0.1:$fe/api/bench_doris/kv_curl/_stream_load" | grep -q '"Status":"Success"'
  curl -s --location-trusted -u root:pw -X PUT -H txn_operation:commit -H "label:$label" \
    "http://127.0.0.1:$fe/api/bench_doris/_stream_load_2pc" | grep -q '"status":"Success"'
done
t3=$(date +%s.%N)
doris_sql "SELECT COUNT(*) FROM kv_curl" | grep -q "\"data\":\[\[$rows\]\]" || { echo "curl loads incomplete" >&2; exit 1; }
python3 - "$rows" "$per_load" "$t0" "$t1" "$t2" "$t3" "$hwm_kb" "$sequence" <<'PY'
import sys
rows, per = int(sys.argv[1]), int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:7])
hwm_mib, sequence = int(sys.argv[7]) / 1024, sys.argv[8]
s, c = rows / (t1 - t0), rows / (t3 - t2)
seq = ", sequence column" if sequence else ""
print(f"doris_bench: {rows} rows, loads of {per} rows, Doris test server, exactly-once (2PC){seq}")
print(f"sluice catch-up (binlog -> Doris), start-up included  {s:10.0f} rows/s  {t1 - t0:6.2f} s  {s / c:.2f}x  peak RSS {hwm_mib:.0f} MiB")
print(f"curl Stream Load + commit of the same JSON lines       {c:10.0f} rows/s  {t3 - t2:6.2f} s  1.00x")
PY
