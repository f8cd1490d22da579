#!/usr/bin/env bash
# PostgreSQL catch-up benchmark (ON DEMAND, not in CI): a WAL backlog read by `sluice run` (the
# PostgreSQL source, null sink) and, side by side on the same backlog, by pg_recvlogical with
# pgoutput (the walsender-bound limit) and by the npm package pg-logical-replication 2.x (the
# peer, tools/bench/pg_logical_catchup.mjs), each through its own slot created at the same LSN.
#
#   tools/bench/pg_catchup.sh ENV_FILE [--changes N] [--runs R] [--no-peer]
#   tools/bench/pg_catchup.sh ENV_FILE --callgrind [--changes N] [--sluice BIN]... [--keep]
#
# ENV_FILE is tools/services.sh's services.env (the benchmark uses its PostgreSQL; the superuser
# over the socket creates the slots). Each run: fresh slots, then a backlog of about N changes
# (default 4500000, about 1 GiB of WAL: 100000 changes make 23.1 MiB) in transactions of 1–100
# rows of the 12 column types of the MySQL benchmark that PostgreSQL has (inserts, updates and
# deletes mixed), then sluice until its slot is confirmed up to the backlog's end
# (checkpoint.interval 200ms: the last checkpoint is counted), pg_recvlogical with --endpos and
# the peer until the Commit that ends the backlog, in this order in odd runs and in the reverse
# order in even runs (proto_version 2 for all three; streaming on for sluice and pg_recvlogical,
# which the peer's plugin cannot ask for and none of these transactions needs). Prints per
# reader the changes, seconds, changes/s, CPU µs per change (user+system of the process), peak
# RSS, and the ratios sluice/pg_recvlogical and sluice/peer. The peer is installed with npm on
# first use into $PG_LOGICAL_DIR (default /tmp/sluice-bench-node, beside mysql_catchup.sh's
# zongji; npm's registry is the only network use); --no-peer leaves it out.
#
# --callgrind: instructions per change of `sluice run` under valgrind's callgrind, which a
# loaded machine does not disturb: one backlog (default 100000 changes), one slot per --sluice
# binary (default $SLUICE_BUILD/cdc/daemon/sluice), each binary in turn until its slot is
# confirmed up to the backlog's end. Prints per change: the whole process, the reader thread
# (the one that decodes; start-up and the other threads left out), and inclusive of
# PgStream::handle (pgoutput decode, typed values, events), pg_text_value(_fast) (text → value)
# and PgConnection::try_read_copy (libpq's CopyData). --keep keeps each profile for
# callgrind_annotate.
# Record the runs in tools/bench/RESULTS.md with the machine's state (uptime).
set -euo pipefail
usage() {
  echo "usage: $0 ENV_FILE [--changes N] [--runs R] [--no-peer]" >&2
  echo "       $0 ENV_FILE --callgrind [--changes N] [--sluice BIN]... [--keep]" >&2
  exit 2
}
ENV_FILE=${1:-}
[[ -n $ENV_FILE ]] || usage
shift
CHANGES=
RUNS=1
PEER=1
CALLGRIND=0
KEEP=0
SLUICE_BINS=()
while (($#)); do
  case $1 in
    --changes) CHANGES=${2:?}; shift ;;
    --runs) RUNS=${2:?}; shift ;;
    --no-peer) PEER=0 ;;
    --callgrind) CALLGRIND=1 ;;
    --sluice) SLUICE_BINS+=("$(realpath "${2:?}")"); shift ;;
    --keep) KEEP=1 ;;
    *) usage ;;
  esac
  shift
done
if ((CALLGRIND)); then CHANGES=${CHANGES:-100000}; else CHANGES=${CHANGES:-4500000}; fi
# shellcheck source=tools/bench/bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"
bench_setup "$ENV_FILE" pg-catchup cdc/daemon/sluice
((${#SLUICE_BINS[@]})) || SLUICE_BINS=("$build/cdc/daemon/sluice")
PG_BIN=/usr/lib/postgresql/15/bin
su_sql() {
  local user=()
  [[ $(id -u) -eq 0 ]] && user=(runuser -u postgres --)
  "${user[@]}" "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SLUICE_PG_SOCKET_DIR" \
    -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_SUPERUSER" -d "$SLUICE_PG_DATABASE" "$@"
}
lsn_num() { python3 -c 'import sys; h,l=sys.argv[1].split("/"); print(int(h,16)<<32|int(l,16))' "$1"; }
# user+system CPU seconds of a PID, from /proc (clock ticks).
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat"; }

if ((PEER && !CALLGRIND)); then
  PG_LOGICAL_DIR=${PG_LOGICAL_DIR:-/tmp/sluice-bench-node}
  if [[ ! -d $PG_LOGICAL_DIR/node_modules/pg-logical-replication ]]; then
    command -v npm >/dev/null || apt-get install -y -q nodejs npm >/dev/null
    mkdir -p "$PG_LOGICAL_DIR"
    npm install --silent --prefix "$PG_LOGICAL_DIR" 'pg-logical-replication@2' >/dev/null
  fi
  export PG_LOGICAL_DIR
fi

su_sql <<'EOF'
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.catchup;
CREATE TABLE bench.catchup (id bigint PRIMARY KEY, i int, b bigint, n numeric(12,2), d double precision,
  t text, v varchar(64), ts timestamptz, dt date, bo boolean, j jsonb, u uuid);
ALTER TABLE bench.catchup OWNER TO sluice;
GRANT USAGE ON SCHEMA bench TO sluice;
DROP PUBLICATION IF EXISTS bench_catchup;
CREATE PUBLICATION bench_catchup FOR TABLE bench.catchup;
EOF

# The backlog: a server-side loop of COMMITs (a procedure may commit), so generating it costs
# no client round trip per transaction. Returns the number of changes.
su_sql <<'EOF'
CREATE OR REPLACE PROCEDURE bench.make_backlog(changes bigint) LANGUAGE plpgsql AS $$
DECLARE
  done bigint := 0; next_id bigint := 1; k int; r int;
BEGIN
  PERFORM setseed(0.42);
  WHILE done < changes LOOP
    k := 1 + floor(random() * 100)::int;
    r := floor(random() * 10)::int;
    IF r < 6 OR next_id < 1000 THEN
      INSERT INTO bench.catchup SELECT g, g % 100000, g * 7, (g % 99999) / 100.0, g / 3.0,
        'text ' || g, 'v' || (g % 1000), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 s',
        date '2024-01-01' + (g % 1000)::int, g % 2 = 0, jsonb_build_object('k', g),
        md5(g::text)::uuid
      FROM generate_series(next_id, next_id + k - 1) g;
      next_id := next_id + k;
    ELSIF r < 9 THEN
      UPDATE bench.catchup SET i = i + 1, t = t || '+' WHERE id >= next_id - 1000 AND id < next_id - 1000 + k;
    ELSE
      DELETE FROM bench.catchup WHERE id >= next_id - 1000 AND id < next_id - 1000 + k;
    END IF;
    GET DIAGNOSTICS r = ROW_COUNT;
    done := done + r;
    COMMIT;
  END LOOP;
  -- The end of the last commit: WAL written after it (a checkpoint, running-xacts records) holds
  -- no transaction, so a slot is confirmed up to here and no further until the next commit.
  RAISE NOTICE 'changes % end %', done, pg_current_wal_insert_lsn();
END $$;
EOF

# Fresh logical slots (pgoutput) named "$@", all at the current LSN.
make_slots() {
  local slot
  for slot in "$@"; do
    su_sql -c "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot'" >/dev/null
    su_sql -c "SELECT pg_create_logical_replication_slot('$slot', 'pgoutput')" >/dev/null
  done
}
drop_slots() {
  local slot
  for slot in "$@"; do su_sql -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null; done
}

# The backlog after the slots: sets made (changes) and end_lsn (the last commit's end).
make_backlog() {
  local start_lsn notice wal_mb
  start_lsn=$(su_sql -c "SELECT pg_current_wal_lsn()")
  notice=$(su_sql -c "CALL bench.make_backlog($CHANGES)" 2>&1)
  made=$(sed -n 's/.*changes \([0-9]*\) end .*/\1/p' <<<"$notice")
  end_lsn=$(sed -n 's/.*changes [0-9]* end \([0-9A-F]*\/[0-9A-F]*\).*/\1/p' <<<"$notice")
  wal_mb=$(su_sql -c "SELECT round((pg_wal_lsn_diff('$end_lsn', '$start_lsn') / 1048576)::numeric, 1)")
  echo "$1: backlog of $made changes, $wal_mb MiB of WAL ($start_lsn .. $end_lsn)"
}

# sluice's pipeline YAML for slot $1 and state dir $2: null sink, committed-offset start.
write_yaml() {
  cat <<EOF
source:
  type: postgres
  hostname: $SLUICE_PG_HOST
  port: $SLUICE_PG_PORT
  username: $SLUICE_PG_USER
  password: $SLUICE_PG_PASSWORD
  database-name: $SLUICE_PG_DATABASE
  tables: '$SLUICE_PG_DATABASE\.bench\.catchup'
  slot.name: $1
  publication.name: bench_catchup
  scan.startup.mode: committed-offset
  heartbeat.interval: 0s
  status.interval: 100ms
sink:
  type: null
pipeline:
  name: pg-catchup
  state.dir: $2
  checkpoint.interval: 200ms
  metrics.port: 0
EOF
}

# Waits until slot $1 is confirmed up to end_lsn while PID $2 runs (its log: $3).
wait_confirmed() {
  local end_num c
  end_num=$(lsn_num "$end_lsn")
  while :; do
    c=$(su_sql -c "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '$1'")
    (($(lsn_num "$c") >= end_num)) && return
    kill -0 "$2" 2>/dev/null || { tail -5 "$3" >&2; exit 1; }
    sleep 0.05
  done
}

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
if ((CALLGRIND)); then
  slots=()
  for i in "${!SLUICE_BINS[@]}"; do slots+=("sluice_cg_$i"); done
  su_sql -c "TRUNCATE bench.catchup" >/dev/null
  make_slots "${slots[@]}"
  make_backlog callgrind
  for i in "${!SLUICE_BINS[@]}"; do
    dir="$work/cg-$i"
    mkdir -p "$dir"
    write_yaml "${slots[$i]}" "$dir/state" >"$dir/pipeline.yaml"
    echo "\$ valgrind --tool=callgrind --separate-threads=yes ${SLUICE_BINS[$i]} run $dir/pipeline.yaml"
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/callgrind.out" \
      "${SLUICE_BINS[$i]}" run "$dir/pipeline.yaml" --log-level warn >"$dir/sluice.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    wait_confirmed "${slots[$i]}" "$pid" "$dir/sluice.log"
    kill -TERM "$pid"
    wait "$pid" || true
    python3 "$root/tools/bench/pg_catchup_callgrind.py" "${SLUICE_BINS[$i]}" "$made" "$dir"
    if ((KEEP)); then
      rm -rf "/tmp/pg-catchup-callgrind-$i"
      cp -r "$dir" "/tmp/pg-catchup-callgrind-$i"
      echo "  profiles kept: /tmp/pg-catchup-callgrind-$i/callgrind.out-*"
    fi
  done
  drop_slots "${slots[@]}"
  su_sql -c "DROP PUBLICATION bench_catchup; DROP TABLE bench.catchup; DROP PROCEDURE bench.make_backlog" >/dev/null
  exit 0
fi

# Each reader on its own slot to the backlog's end; each sets its times, CPU and peak RSS.
read_sluice() {
  write_yaml sluice_bench "$work/state-$run" >"$work/pipeline.yaml"
  t0=$(date +%s.%N)
  "${SLUICE_BINS[0]}" run "$work/pipeline.yaml" >"$work/sluice.log" 2>&1 &
  spid=$!
  pids+=("$spid")
  wait_confirmed sluice_bench "$spid" "$work/sluice.log"
  t1=$(date +%s.%N)
  s_cpu=$(cpu_of "$spid")
  s_rss=$(awk '/VmHWM/ {print $2}' "/proc/$spid/status")
  kill -TERM "$spid"
  wait "$spid" || true
}
read_recv() {
  t2=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$work/recv.time" env PGPASSWORD="$SLUICE_PG_PASSWORD" \
    "$PG_BIN/pg_recvlogical" -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" \
    -d "$SLUICE_PG_DATABASE" --slot recv_bench --start --endpos "$end_lsn" -f /dev/null \
    -o proto_version=2 -o streaming=on -o publication_names=bench_catchup
  t3=$(date +%s.%N)
  read -r r_user r_sys r_rss <"$work/recv.time"
}
read_peer() {
  p_args=(0 0 0 0 0 0)
  ((PEER)) || return 0
  t4=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$work/peer.time" node "$root/tools/bench/pg_logical_catchup.mjs" \
    "$SLUICE_PG_HOST" "$SLUICE_PG_PORT" "$SLUICE_PG_USER" "$SLUICE_PG_PASSWORD" \
    "$SLUICE_PG_DATABASE" peer_bench bench_catchup "$end_lsn" >"$work/peer.out"
  t5=$(date +%s.%N)
  read -r p_user p_sys p_rss <"$work/peer.time"
  p_changes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["changes"])' "$work/peer.out")
  p_args=("$p_changes" "$t4" "$t5" "$p_user" "$p_sys" "$p_rss")
}

slots=(sluice_bench recv_bench)
((PEER)) && slots+=(peer_bench)
for run in $(seq 1 "$RUNS"); do
  su_sql -c "TRUNCATE bench.catchup" >/dev/null
  make_slots "${slots[@]}"
  make_backlog "run $run"
  # Odd runs read in the order sluice, pg_recvlogical, peer; even runs in the reverse order.
  if ((run % 2)); then
    echo "  order: sluice, pg_recvlogical, peer"
    read_sluice; read_recv; read_peer
  else
    echo "  order: peer, pg_recvlogical, sluice"
    read_peer; read_recv; read_sluice
  fi
  python3 - "$made" "$t0" "$t1" "$s_cpu" "$s_rss" "$t2" "$t3" "$r_user" "$r_sys" "$r_rss" "${p_args[@]}" <<'EOF'
import sys
n = int(sys.argv[1])
t0, t1, s_cpu, s_rss, t2, t3, r_u, r_s, r_rss = map(float, sys.argv[2:11])
p_n, t4, t5, p_u, p_s, p_rss = map(float, sys.argv[11:17])
readers = [("sluice run (null sink)", n, t1 - t0, s_cpu, s_rss),
           ("pg_recvlogical (pgoutput)", n, t3 - t2, r_u + r_s, r_rss)]
if p_n:
    readers.append(("pg-logical-replication 2.x", int(p_n), t5 - t4, p_u + p_s, p_rss))
rate = {}
for name, changes, secs, cpu, rss in readers:
    rate[name] = changes / secs
    print(f"  {name:27s} {changes:8d} changes {secs:7.2f} s {changes / secs:10.0f} changes/s "
          f"{cpu * 1e6 / changes:6.2f} µs CPU/change peak RSS {rss / 1024:6.1f} MB")
names = [r[0] for r in readers]
print(f"  ratio sluice/pg_recvlogical: {rate[names[0]] / rate[names[1]]:.2f}x changes/s")
if p_n:
    if int(p_n) != n:
        print(f"  the peer counted {int(p_n)} changes, not {n}", file=sys.stderr)
        sys.exit(1)
    print(f"  ratio sluice/pg-logical-replication: {rate[names[0]] / rate[names[2]]:.2f}x changes/s")
EOF
  drop_slots "${slots[@]}"
done
su_sql -c "DROP PUBLICATION bench_catchup; DROP TABLE bench.catchup; DROP PROCEDURE bench.make_backlog" >/dev/null
