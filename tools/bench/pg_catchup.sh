#!/usr/bin/env bash
# PostgreSQL catch-up benchmark (ON DEMAND, not in CI): a WAL backlog read by `sluice run` (the
# PostgreSQL source, null sink) and, side by side on the same backlog, by pg_recvlogical with
# pgoutput (the walsender-bound limit), each through its own slot created at the same LSN.
#
#   tools/bench/pg_catchup.sh ENV_FILE [--changes N] [--runs R]
#
# ENV_FILE is tools/services.sh's services.env (the benchmark uses its PostgreSQL; the superuser
# over the socket creates the slots). Each run: two fresh slots (sluice_bench, recv_bench), then
# a backlog of about N changes (default 500000) in transactions of 1–100 rows of the 12 column
# types of the MySQL benchmark that PostgreSQL has (inserts, updates and deletes mixed), then
# sluice until its slot is confirmed up to the backlog's end (checkpoint.interval 200ms: the
# last checkpoint is counted), then pg_recvlogical with --endpos. Prints per reader the changes,
# seconds, changes/s, CPU µs per change (user+system of the process), peak RSS and the ratio.
# Record the runs in tools/bench/RESULTS.md with the machine's state (uptime).
set -euo pipefail
ENV_FILE=${1:?usage: $0 ENV_FILE [--changes N] [--runs R]}
shift
CHANGES=500000
RUNS=1
while (($#)); do
  case $1 in
    --changes) CHANGES=${2:?}; shift ;;
    --runs) RUNS=${2:?}; shift ;;
    *) echo "usage: $0 ENV_FILE [--changes N] [--runs R]" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=tools/bench/bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"
bench_setup "$ENV_FILE" pg-catchup cdc/daemon/sluice
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

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
for run in $(seq 1 "$RUNS"); do
  su_sql -c "TRUNCATE bench.catchup" >/dev/null
  for slot in sluice_bench recv_bench; do
    su_sql -c "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot'" >/dev/null
    su_sql -c "SELECT pg_create_logical_replication_slot('$slot', 'pgoutput')" >/dev/null
  done
  start_lsn=$(su_sql -c "SELECT pg_current_wal_lsn()")
  notice=$(su_sql -c "CALL bench.make_backlog($CHANGES)" 2>&1)
  made=$(sed -n 's/.*changes \([0-9]*\) end .*/\1/p' <<<"$notice")
  end_lsn=$(sed -n 's/.*changes [0-9]* end \([0-9A-F]*\/[0-9A-F]*\).*/\1/p' <<<"$notice")
  wal_mb=$(su_sql -c "SELECT round((pg_wal_lsn_diff('$end_lsn', '$start_lsn') / 1048576)::numeric, 1)")
  echo "run $run: backlog of $made changes, $wal_mb MB of WAL ($start_lsn .. $end_lsn)"

  # sluice run, null sink, until the slot is confirmed up to the backlog's end.
  cat >"$work/pipeline.yaml" <<EOF
source:
  type: postgres
  hostname: $SLUICE_PG_HOST
  port: $SLUICE_PG_PORT
  username: $SLUICE_PG_USER
  password: $SLUICE_PG_PASSWORD
  database-name: $SLUICE_PG_DATABASE
  tables: '$SLUICE_PG_DATABASE\.bench\.catchup'
  slot.name: sluice_bench
  publication.name: bench_catchup
  scan.startup.mode: committed-offset
  heartbeat.interval: 0s
  status.interval: 100ms
sink:
  type: null
pipeline:
  name: pg-catchup
  state.dir: $work/state-$run
  checkpoint.interval: 200ms
  metrics.port: 0
EOF
  end_num=$(lsn_num "$end_lsn")
  t0=$(date +%s.%N)
  "$build/cdc/daemon/sluice" run "$work/pipeline.yaml" >"$work/sluice.log" 2>&1 &
  spid=$!
  pids+=("$spid")
  while :; do
    c=$(su_sql -c "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'sluice_bench'")
    (($(lsn_num "$c") >= end_num)) && break
    kill -0 "$spid" 2>/dev/null || { tail -5 "$work/sluice.log" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s.%N)
  s_cpu=$(cpu_of "$spid")
  s_rss=$(awk '/VmHWM/ {print $2}' "/proc/$spid/status")
  kill -TERM "$spid"
  wait "$spid" || true

  # pg_recvlogical on its own slot, the same publication, to the same end.
  t2=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$work/recv.time" env PGPASSWORD="$SLUICE_PG_PASSWORD" \
    "$PG_BIN/pg_recvlogical" -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" \
    -d "$SLUICE_PG_DATABASE" --slot recv_bench --start --endpos "$end_lsn" -f /dev/null \
    -o proto_version=2 -o streaming=on -o publication_names=bench_catchup
  t3=$(date +%s.%N)
  read -r r_user r_sys r_rss <"$work/recv.time"
  python3 - "$made" "$t0" "$t1" "$s_cpu" "$s_rss" "$t2" "$t3" "$r_user" "$r_sys" "$r_rss" <<'EOF'
import sys
n = int(sys.argv[1])
t0, t1, s_cpu, s_rss, t2, t3, r_u, r_s, r_rss = map(float, sys.argv[2:])
rows = []
for name, secs, cpu, rss in (("sluice run (null sink)", t1 - t0, s_cpu, s_rss),
                             ("pg_recvlogical (pgoutput)", t3 - t2, r_u + r_s, r_rss)):
    rows.append((name, secs, n / secs, cpu * 1e6 / n, rss / 1024))
    print(f"  {name:27s} {secs:7.2f} s {n / secs:10.0f} changes/s {cpu * 1e6 / n:6.2f} µs CPU/change "
          f"peak RSS {rss / 1024:6.1f} MB")
print(f"  ratio sluice/pg_recvlogical: {rows[0][2] / rows[1][2]:.2f}x changes/s")
EOF
  for slot in sluice_bench recv_bench; do
    su_sql -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null
  done
done
su_sql -c "DROP PUBLICATION bench_catchup; DROP TABLE bench.catchup; DROP PROCEDURE bench.make_backlog" >/dev/null
