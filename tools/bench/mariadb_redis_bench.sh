#!/usr/bin/env bash
# Binlog catch-up into Redis (string mode, exactly-once) against redis-benchmark's pipelined
# SET on the same server, in the same run. On demand, never in CI.
#
#   tools/services.sh start /tmp/sluice-bench     # MariaDB + Redis (see tools/services.sh)
#   tools/bench/mariadb_redis_bench.sh /tmp/sluice-bench/services.env [rows]
#
# Steps: pin a latest-offset start (one short run of sluice), write <rows> rows into
# bench_redis.kv in 1000-row INSERTs while sluice is stopped, then time a fresh `sluice run`
# from its start until the last row's key is in Redis (start-up and connect included), and
# then `redis-benchmark -P 64 -t set` with as many requests against the same Redis. Use a
# scratch Redis: the keys both write (bench:*, and redis-benchmark's key:*) are deleted after.
set -euo pipefail

env_file=${1:?usage: $0 SERVICES_ENV [rows]}
rows=${2:-500000}
# shellcheck disable=SC1090
source "$env_file"
root=$(cd "$(dirname "$0")/../.." && pwd)
sluice=${SLUICE_BIN:-$root/build/cdc/daemon/sluice}
[[ -x $sluice ]] || { echo "build sluice first: cmake --build build --target sluice" >&2; exit 2; }
work=$(mktemp -d /tmp/sluice-redis-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
rcli=(redis-cli -h "$SLUICE_REDIS_HOST" -p "$SLUICE_REDIS_PORT")
sql=(mariadb --socket="$SLUICE_MARIADB_ROOT_SOCKET" -uroot)

"${sql[@]}" -e "CREATE DATABASE IF NOT EXISTS bench_redis; DROP TABLE IF EXISTS bench_redis.kv;
  CREATE TABLE bench_redis.kv (id INT PRIMARY KEY, name VARCHAR(32) NOT NULL, qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL)"
"${rcli[@]}" eval "for _,k in ipairs(redis.call('keys','bench:*')) do redis.call('del',k) end" 0 >/dev/null
"${rcli[@]}" del sluice:offset:redis-bench >/dev/null

cat > "$work/pipeline.yaml" <<YAML
source:
  type: mysql
  hostname: $SLUICE_MARIADB_HOST
  port: $SLUICE_MARIADB_PORT
  username: $SLUICE_MARIADB_USER
  password: $SLUICE_MARIADB_PASSWORD
  tables: bench_redis\.kv
  server-id: 5690
  scan.startup.mode: latest-offset
sink:
  type: redis
  host: $SLUICE_REDIS_HOST
  port: $SLUICE_REDIS_PORT
  key: 'bench:{id}'
pipeline:
  name: redis-bench
  state.dir: $work/state
  checkpoint.interval: 1s
  metrics.port: 0
YAML

# 1. Pin the start position: the first checkpoint is written before any data flows.
"$sluice" run "$work/pipeline.yaml" 2>"$work/pin.log" &
pid=$!
for _ in $(seq 100); do
  [[ $("${rcli[@]}" exists sluice:offset:redis-bench) == 1 ]] && grep -q streaming "$work/pin.log" && break
  sleep 0.1
done
sleep 0.5
kill -TERM $pid && wait $pid

# 2. The backlog.
"$root/tools/bench/kv_rows.py" bench_redis.kv "$rows" > "$work/load.sql"
"${sql[@]}" < "$work/load.sql"

# 3. Catch-up.
t0=$(date +%s.%N)
"$sluice" run "$work/pipeline.yaml" 2>"$work/run.log" &
pid=$!
# BENCH_PERF=<file>: profile two seconds of the catch-up with perf.
[[ -n ${BENCH_PERF:-} ]] && { perf record -F 2999 -g -p $pid -o "$BENCH_PERF" -- sleep 2 2>/dev/null & }
wait_key() {
  until [[ $("${rcli[@]}" exists "$1") == 1 ]]; do
    kill -0 $pid 2>/dev/null || { echo "sluice exited; log:" >&2; tail "$work/run.log" >&2; exit 1; }
    sleep 0.01
  done
}
wait_key bench:1
t_first=$(date +%s.%N)
wait_key "bench:$rows"
t1=$(date +%s.%N)
kill -TERM $pid && wait $pid
keys=$("${rcli[@]}" eval "return #redis.call('keys','bench:*')" 0)
[[ $keys == "$rows" ]] || { echo "expected $rows keys, found $keys" >&2; exit 1; }
value_size=$("${rcli[@]}" strlen "bench:$rows")
# Leave the server as we found it (later tests SCAN it).
"${rcli[@]}" eval "for _,k in ipairs(redis.call('keys','bench:*')) do redis.call('del',k) end" 0 >/dev/null
"${rcli[@]}" del sluice:offset:redis-bench >/dev/null
sluice_rate=$(python3 -c "print(round($rows / ($t1 - $t0)))")
# Without start-up (connect, TLS, schema, first checkpoint): from the first key to the last.
steady_rate=$(python3 -c "print(round(($rows - 1) / ($t1 - $t_first)))")

# 4. The peer: pipelined SETs of a similar value size against the same server.
peer=$(redis-benchmark -h "$SLUICE_REDIS_HOST" -p "$SLUICE_REDIS_PORT" -P 64 -t set -n "$rows" \
         -d "$value_size" -r "$rows" --csv | tail -1 | cut -d, -f2 | tr -d '"')
"${rcli[@]}" del key:__rand_int__ >/dev/null
"${rcli[@]}" eval "for _,k in ipairs(redis.call('keys','key:*')) do redis.call('del',k) end" 0 >/dev/null
python3 - "$rows" "$sluice_rate" "$steady_rate" "$peer" "$value_size" <<'PY'
import sys
rows, total, steady, peer, size = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
print(f"mariadb_redis_bench: {rows} rows, values of {size} bytes")
print(f"sluice catch-up, start-up included    {total:10.0f} rows/s  {total / peer:.2f}x")
print(f"sluice catch-up, first key to last    {steady:10.0f} rows/s  {steady / peer:.2f}x")
print(f"redis-benchmark -P 64 -t set          {peer:10.0f} SET/s   1.00x")
PY
