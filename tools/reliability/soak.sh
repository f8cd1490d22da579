#!/usr/bin/env bash
# tools/reliability/soak.sh [seconds=600] [rows-per-second=2000]
#
# ON DEMAND ONLY, NOT PART OF CI (issue 19, "Soak"). MariaDB → Kafka test broker and MariaDB →
# Redis, two `sluice run` pipelines on one table, while a writer changes rows at a steady rate:
#   - every $SOAK_KILL_EVERY s (600): kill -9 of both sluice processes, restarted at once;
#   - every $SOAK_RESTART_EVERY s (900): kill -9 of a server, in turn MariaDB, Redis (AOF,
#     appendfsync everysec), the Kafka test broker (data dir), restarted on its port;
#   - every 10 s: RSS of each sluice and its sluice_replication_lag_seconds;
#   - after each fault: the time until both pipelines' lag is back under 1 s;
#   - outside faults: a pipeline whose sink wrote nothing for $SOAK_STALL_SECONDS s (60) while
#     the writer runs is logged as stalled, and its state is saved to $DIR/stall-*.txt (thread
#     stacks with gdb when installed, /proc task states, metrics, the logs' tails);
#   - at the end: the writer stops, both sinks catch up, and they are compared with the table.
# Prints every sample and fault, then the summary: per sink max RSS and the RSS slope (KiB
# per minute, least squares over all samples; flat is ~0), the worst recovery to lag < 1 s,
# rows checked, lost, repeated, stalls. Exits non-zero if a sink differs from the source or a
# pipeline stalled.
#
# The workload: soak.kv (id, v, n); each statement upserts 1/4 s worth of rows, v = a global
# sequence number (id = v mod $SOAK_KEYS + 1) and n counts the changes of the row. So Kafka,
# read with read_committed, must hold per key exactly n records, their v strictly rising and
# the last one equal to the table's; Redis must hold each row as the table has it.
#
# Needs MariaDB from tools/services.sh ($SLUICE_SERVICES_ENV, default
# /tmp/sluice-services/services.env; restarted through services.sh), redis-server, kcat,
# redis-cli, mariadb, and the builds of sluice and kafka_test_broker (copied at the start, so a
# rebuild during the run changes nothing). Runs its own Redis and Kafka test broker on free
# ports under a fresh /tmp/sluice-soak-* directory (kept when a check fails).
# Results go to tools/bench/RESULTS.md ("Reliability").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SLUICE_SRC="${SLUICE:-$ROOT/build/cdc/daemon/sluice}"
BROKER_SRC="${SLUICE_KAFKA_TEST_BROKER:-$ROOT/build/tests/fakes/kafka/kafka_test_broker}"
ENV_FILE="${SLUICE_SERVICES_ENV:-/tmp/sluice-services/services.env}"
TOTAL="${1:-600}"
RATE="${2:-2000}"
KILL_EVERY="${SOAK_KILL_EVERY:-600}"
RESTART_EVERY="${SOAK_RESTART_EVERY:-900}"
KEYS="${SOAK_KEYS:-50000}"
STALL_SECONDS="${SOAK_STALL_SECONDS:-60}"
SAMPLE=10
for f in "$SLUICE_SRC" "$BROKER_SRC"; do
  [[ -x "$f" ]] || { echo "soak: no binary at $f (build sluice and kafka_test_broker)" >&2; exit 2; }
done
[[ -r "$ENV_FILE" ]] || { echo "soak: no services env at $ENV_FILE (tools/services.sh start)" >&2; exit 2; }
for tool in kcat redis-cli redis-server mariadb python3 curl; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is not installed" >&2; exit 2; }
done
# shellcheck disable=SC1090
source "$ENV_FILE"
SERVICES_DIR="$SLUICE_SERVICES_DIR"

DIR="$(mktemp -d /tmp/sluice-soak-XXXXXX)"
cp "$SLUICE_SRC" "$DIR/sluice"
cp "$BROKER_SRC" "$DIR/kafka_test_broker"
declare -A PID=()
WRITER=""
cleanup() {
  local rc=$?
  [[ -n "$WRITER" ]] && kill -TERM "$WRITER" 2>/dev/null || true
  for p in "${PID[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $rc -eq 0 && -z "${SOAK_KEEP:-}" ]]; then rm -rf "$DIR"; else echo "soak: files kept in $DIR" >&2; fi
}
trap cleanup EXIT
log() { echo "$(date -u +%H:%M:%S) $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

sql() { mariadb -h 127.0.0.1 -P "$SLUICE_MARIADB_PORT" -u "$SLUICE_MARIADB_USER" -p"$SLUICE_MARIADB_PASSWORD" -N -B "$@"; }
root_sql() { mariadb -S "$SLUICE_MARIADB_ROOT_SOCKET" -u root -N -B "$@"; }

# --- servers of our own: Redis with its AOF, the Kafka test broker on a data dir ------------
REDIS_PORT=$(free_port)
BROKER_PORT=$(free_port)
mkdir -p "$DIR/redis" "$DIR/broker"
start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR/redis" --save '' \
    --appendonly yes --appendfsync everysec --logfile "$DIR/redis/redis.log" &
  PID[redis]=$!
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
}
start_broker() {
  "$DIR/kafka_test_broker" --port "$BROKER_PORT" --data-dir "$DIR/broker/data" \
    >>"$DIR/broker/broker.log" 2>&1 &
  PID[broker]=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$BROKER_PORT") 2>/dev/null; do sleep 0.05; done
}
restart_mariadb() {
  kill -KILL "$(cat "$SERVICES_DIR/mariadb/mariadbd.pid")"
  while [[ -e "$SERVICES_DIR/mariadb/mariadbd.pid" ]] && kill -0 "$(cat "$SERVICES_DIR/mariadb/mariadbd.pid")" 2>/dev/null; do sleep 0.1; done
  # services.sh rewrites the env file with the services it started: keep the other lines.
  cp "$ENV_FILE" "$DIR/services.env.saved"
  SLUICE_MARIADB_PORT=$SLUICE_MARIADB_PORT "$ROOT/tools/services.sh" start "$SERVICES_DIR" --only mariadb >>"$DIR/services.log" 2>&1
  cp "$DIR/services.env.saved" "$ENV_FILE"
}
start_redis
start_broker

# --- the table and the two pipelines ---------------------------------------------------------
root_sql -e "CREATE DATABASE IF NOT EXISTS soak; DROP TABLE IF EXISTS soak.kv;
  CREATE TABLE soak.kv (id INT PRIMARY KEY, v BIGINT NOT NULL, n INT NOT NULL)"
declare -A METRICS=()
write_config() {  # name, sink yaml, server id
  local name=$1 sink=$2 server_id=$3
  METRICS[$name]=$(free_port)
  cat >"$DIR/$name.yaml" <<YAML
source:
  type: mysql
  hostname: 127.0.0.1
  port: $SLUICE_MARIADB_PORT
  username: $SLUICE_MARIADB_USER
  password: $SLUICE_MARIADB_PASSWORD
  tables: soak\\.kv
  server-id: $server_id
  scan.startup.mode: latest-offset
  heartbeat.interval: 1s
sink:
$sink
pipeline:
  name: soak-$name
  state.dir: $DIR/$name-state
  checkpoint.interval: 200ms
  metrics.port: ${METRICS[$name]}
  restart.initial-backoff: 100ms
  restart.max-backoff: 1s
YAML
}
write_config kafka "  type: kafka
  properties.bootstrap.servers: 127.0.0.1:$BROKER_PORT
  topic: soak
  value.format: upsert
  operation.timeout: 30s" 5771
write_config redis "  type: redis
  host: 127.0.0.1
  port: $REDIS_PORT
  mode: string
  key: 'soak:{id}'" 5772
start_sluice() {
  "$DIR/sluice" run "$DIR/$1.yaml" >>"$DIR/$1.stdout" 2>>"$DIR/$1.stderr" &
  PID[sluice_$1]=$!
}
metric() {  # name, metric → value or empty
  curl -s --max-time 1 "http://127.0.0.1:${METRICS[$1]}/metrics" 2>/dev/null |
    awk -v m="$2" '!found && ($1 == m || index($1, m "{") == 1) { print $2; found = 1 }' || true
}
ready() { [[ -n "$(metric "$1" sluice_pipeline_up)" ]]; }
for s in kafka redis; do
  start_sluice "$s"
  for _ in $(seq 300); do ready "$s" && break; sleep 0.1; done
  ready "$s" || { echo "soak: sluice ($s) did not start: $(tail -3 "$DIR/$s.stderr")" >&2; exit 1; }
done

# --- the writer: steady RATE rows/s (soak_writer.py); MariaDB is the truth ---------------------
python3 "$ROOT/tools/reliability/soak_writer.py" "$RATE" "$KEYS" -- mariadb -h 127.0.0.1 \
  -P "$SLUICE_MARIADB_PORT" -u "$SLUICE_MARIADB_USER" -p"$SLUICE_MARIADB_PASSWORD" -N -B 2>>"$DIR/writer.err" &
WRITER=$!

# --- the loop: samples, faults, recovery times -------------------------------------------------
SERVERS=(mariadb redis broker)
restarts=0
kills=0
recoveries=()
in_fault=0
fault_at=0
fault_what=""
stalls=0
declare -A written=() written_at=() stalled=()
# Saves what a stalled pipeline is doing, for the report: the soak itself goes on.
capture_stall() {  # name
  local s=$1 f pid task
  f="$DIR/stall-$s-$(date -u +%H%M%S).txt"
  pid=${PID[sluice_$s]}
  {
    echo "sluice ($s, pid $pid): sink events written ${written[$s]:-unknown (no metrics)} for $((t - written_at[$s])) s"
    curl -s --max-time 2 "http://127.0.0.1:${METRICS[$s]}/metrics" | grep -v '^#'
    for task in "/proc/$pid/task/"*; do
      echo "thread $(cat "$task/comm" 2>/dev/null) state $(cut -d' ' -f3 "$task/stat" 2>/dev/null) wchan $(cat "$task/wchan" 2>/dev/null)"
    done
    command -v gdb >/dev/null && timeout 60 gdb -p "$pid" -batch -ex 'thread apply all bt' 2>&1 | grep -v '^\[New LWP' || true
    echo "--- $s.stderr"; tail -50 "$DIR/$s.stderr"
    echo "--- broker.log"; tail -20 "$DIR/broker/broker.log"
  } >"$f" 2>&1
  echo "$f"
}
printf '%-8s %6s %12s %12s %9s %9s\n' time "t(s)" "rss_kafka" "rss_redis" lag_kafka lag_redis
: >"$DIR/samples.txt"
# A fault that comes while the last one is not yet recovered from (every 30 min a kill and a
# restart coincide) joins it: the recovery is timed from the first.
begin_fault() {
  log "fault $((kills + restarts)): $1"
  if ((in_fault)); then fault_what="$fault_what, then $1"; return; fi
  in_fault=1 fault_at=$EPOCHREALTIME fault_what=$1
}
start=$(date +%s)
next_sample=$SAMPLE
next_kill=$KILL_EVERY
next_restart=$RESTART_EVERY
while :; do
  sleep 0.2
  t=$(($(date +%s) - start))
  for s in kafka redis; do
    kill -0 "${PID[sluice_$s]}" 2>/dev/null || { log "sluice ($s) exited by itself: $(tail -3 "$DIR/$s.stderr")"; exit 1; }
  done
  if ((in_fault)); then
    lk=$(metric kafka sluice_replication_lag_seconds)
    lr=$(metric redis sluice_replication_lag_seconds)
    # The lag gauge follows what was written to the sink; a checkpoint committed within the
    # last 2 s says it is also visible (Kafka: the transaction committed).
    ck=$(metric kafka sluice_last_checkpoint_timestamp_seconds)
    cr=$(metric redis sluice_last_checkpoint_timestamp_seconds)
    if awk -v a="${lk:-9}" -v b="${lr:-9}" -v ck="${ck:-0}" -v cr="${cr:-0}" -v now="$EPOCHREALTIME" \
      'BEGIN { exit !(a > 0 && a < 1 && b > 0 && b < 1 && now - ck < 2 && now - cr < 2) }'; then
      took=$(awk -v now="${EPOCHREALTIME}" -v f="$fault_at" 'BEGIN { printf "%.1f", now - f }')
      log "recovered from $fault_what: both lags under 1 s after ${took} s"
      recoveries+=("$took")
      in_fault=0
    fi
  fi
  if ((t >= next_sample)); then
    next_sample=$((next_sample + SAMPLE))
    rk=$(awk '/^VmRSS:/ {print $2}' "/proc/${PID[sluice_kafka]}/status" 2>/dev/null || echo 0)
    rr=$(awk '/^VmRSS:/ {print $2}' "/proc/${PID[sluice_redis]}/status" 2>/dev/null || echo 0)
    lk=$(metric kafka sluice_replication_lag_seconds)
    lr=$(metric redis sluice_replication_lag_seconds)
    printf '%-8s %6d %12s %12s %9s %9s\n' "$(date -u +%H:%M:%S)" "$t" "$rk" "$rr" "${lk:--}" "${lr:--}"
    echo "$t $rk $rr" >>"$DIR/samples.txt"
    # A gauge that stops moving says nothing by itself (the second 2-hour run's Kafka lag sat at
    # 0.603 s for half an hour): the count of events written must keep growing.
    for s in kafka redis; do
      w=$(metric "$s" sluice_sink_events_written_total)
      if [[ -z "${written_at[$s]:-}" || "$w" != "${written[$s]}" ]] || ((in_fault)); then
        written[$s]=$w written_at[$s]=$t stalled[$s]=0
      elif ((t - written_at[$s] >= STALL_SECONDS && stalled[$s] == 0)); then
        stalled[$s]=1 stalls=$((stalls + 1))
        log "sluice ($s) stalled: its sink wrote nothing for $((t - written_at[$s])) s; state in $(capture_stall "$s")"
      fi
    done
  fi
  ((t >= TOTAL)) && break
  if ((t >= next_kill)); then
    next_kill=$((next_kill + KILL_EVERY))
    for s in kafka redis; do kill -KILL "${PID[sluice_$s]}"; wait "${PID[sluice_$s]}" 2>/dev/null || true; start_sluice "$s"; done
    kills=$((kills + 1))
    begin_fault "kill -9 of both sluice processes"
  fi
  if ((t >= next_restart)); then
    next_restart=$((next_restart + RESTART_EVERY))
    server=${SERVERS[$((restarts % 3))]}
    case $server in
      mariadb) restart_mariadb ;;
      redis) kill -KILL "${PID[redis]}"; wait "${PID[redis]}" 2>/dev/null || true; start_redis ;;
      broker) kill -KILL "${PID[broker]}"; wait "${PID[broker]}" 2>/dev/null || true; start_broker ;;
    esac
    restarts=$((restarts + 1))
    begin_fault "kill -9 and restart of $server"
  fi
done
((in_fault == 0)) || { log "not recovered from $fault_what before the end"; recoveries+=(never); }

# --- the end: stop the writer, let both sinks catch up, compare --------------------------------
kill -TERM "$WRITER"; wait "$WRITER" 2>/dev/null || true; WRITER=""
sql -e "SELECT id, v, n FROM soak.kv ORDER BY id" >"$DIR/source.txt"
total_changes=$(awk '{ s += $3 } END { print s + 0 }' "$DIR/source.txt")
rows=$(wc -l <"$DIR/source.txt")
log "writer stopped: $rows rows, $total_changes changes ($((total_changes / TOTAL)) a second); waiting for the sinks"
kafka_check() {  # → "records bad" comparing Kafka's read_committed history with the table
  kcat -C -b "127.0.0.1:$BROKER_PORT" -t soak -X isolation.level=read_committed -e -q \
    -f '%k\t%s\n' 2>>"$DIR/kcat.err" >"$DIR/kafka.txt" || true
  awk -F'\t' 'NR == FNR { v[$1] = $2; n[$1] = $3; next }
    { match($1, /[0-9]+/); id = substr($1, RSTART, RLENGTH)
      match($2, /"v":[0-9]+/); val = substr($2, RSTART + 4, RLENGTH - 4) + 0
      if (seen[id] && val <= last[id]) bad++   # repeated or out of order
      seen[id]++; last[id] = val; recs++ }
    END { for (id in v) if (seen[id] != n[id] || last[id] != v[id]) bad++
          for (id in seen) if (!(id in v)) bad++
          printf "%d %d\n", recs, bad + 0 }' <(tr ' ' '\t' <"$DIR/source.txt") "$DIR/kafka.txt"
}
redis_check() {  # → "keys bad"
  redis-cli -p "$REDIS_PORT" --scan --pattern 'soak:*' | sort >"$DIR/redis_keys.txt"
  awk '{ print "GET", $1 }' "$DIR/redis_keys.txt" | redis-cli -p "$REDIS_PORT" >"$DIR/redis_values.txt"
  paste "$DIR/redis_keys.txt" "$DIR/redis_values.txt" |
    awk -F'\t' 'NR == FNR { v[$1] = $2; n[$1] = $3; next }
      { id = substr($1, 6); match($2, /"v":[0-9]+/); val = substr($2, RSTART + 4, RLENGTH - 4)
        match($2, /"n":[0-9]+/); cnt = substr($2, RSTART + 4, RLENGTH - 4)
        keys++; got[id] = 1; if (!(id in v) || v[id] != val || n[id] != cnt) bad++ }
      END { for (id in v) if (!(id in got)) bad++; printf "%d %d\n", keys, bad + 0 }' \
      <(tr ' ' '\t' <"$DIR/source.txt") -
}
deadline=$(($(date +%s) + 300))
while :; do
  read -r krecs kbad < <(kafka_check)
  read -r rkeys rbad < <(redis_check)
  ((kbad == 0 && rbad == 0)) && break
  (($(date +%s) >= deadline)) && break
  sleep 5
done
log "kafka: $krecs records read_committed, $kbad keys lost/repeated/differing; redis: $rkeys keys, $rbad differing"

awk -v rec="${recoveries[*]:-}" -v kills="$kills" -v restarts="$restarts" -v stalls="$stalls" \
  -v rows="$rows" -v changes="$total_changes" -v krecs="$krecs" -v kbad="$kbad" -v rkeys="$rkeys" -v rbad="$rbad" '
  function slope(col,   i, sx, sy, sxy, sxx) { sx = sy = sxy = sxx = 0
    for (i = 1; i <= N; i++) { sx += t[i]; sy += r[col, i]; sxy += t[i] * r[col, i]; sxx += t[i] * t[i] }
    return N > 1 ? (N * sxy - sx * sy) / (N * sxx - sx * sx) * 60 : 0 }
  { N++; t[N] = $1; r[1, N] = $2; r[2, N] = $3; if ($2 > m1) m1 = $2; if ($3 > m2) m2 = $3 }
  END {
    n = split(rec, a, " "); worst = 0; never = 0
    for (i = 1; i <= n; i++) { if (a[i] == "never") never++; else if (a[i] + 0 > worst) worst = a[i] + 0 }
    printf "summary: %d samples; sluice (kafka) max RSS %d KiB, slope %.1f KiB/min; sluice (redis) max RSS %d KiB, slope %.1f KiB/min; ", N, m1, slope(1), m2, slope(2)
    printf "%d kills of sluice, %d server restarts, worst recovery to lag < 1 s %.1f s (%d not recovered), %d stalls outside faults; ", kills, restarts, worst, never, stalls
    printf "source %d rows, %d changes; kafka %d records, %d keys wrong; redis %d keys, %d wrong\n", rows, changes, krecs, kbad, rkeys, rbad
  }' "$DIR/samples.txt"
((kbad == 0 && rbad == 0 && stalls == 0)) || exit 1
