#!/usr/bin/env bash
# Snapshot read benchmark (ON DEMAND, not in CI): `sluice run` with scan.startup.mode snapshot
# into the null sink, with 1 and with 2 snapshot connections (scan.snapshot.parallelism), vs `mariadb --quick --batch -e 'SELECT * FROM t' > /dev/null` on the same
# table, alternating in one session. The table has the catch-up benchmark's 12 column types
# (tools/bench/mysql_catchup_bench.cpp kColumns).
#
#   tools/bench/snapshot_bench.sh ENV_FILE [--rows N] [--runs R] [--chunk N]
#
# ENV_FILE: a tools/services.sh env file (its MariaDB is used; the table bench_snap.t is
# created once per row count and kept). Default 10 000 000 rows, 3 runs each, chunk 8096.
# Prints per run: seconds, rows/s, CPU microseconds per row (user+sys of the process), peak
# RSS; then the medians and sluice / mariadb ratios. Record results in tools/bench/RESULTS.md.
# Goals (issue 14): 1 connection >= 0.8x the mariadb client, 2 connections >= 1.4x it.
set -euo pipefail
env_file=${1:?usage: $0 ENV_FILE [--rows N] [--runs R] [--chunk N]}
shift
ROWS=10000000
RUNS=3
CHUNK=8096
while (($#)); do
  case $1 in
    --rows) ROWS=${2:?}; shift ;;
    --runs) RUNS=${2:?}; shift ;;
    --chunk) CHUNK=${2:?}; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=tools/bench/bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"
bench_setup "$env_file" snapshot-bench cdc/daemon/sluice

sql() { mariadb -S "$SLUICE_MARIADB_ROOT_SOCKET" -uroot -N -B "$@"; }
have=$(sql -e "SELECT COUNT(*) FROM bench_snap.t" 2>/dev/null || echo 0)
if [[ $have != "$ROWS" ]]; then
  echo "creating bench_snap.t with $ROWS rows ..."
  sql -e "CREATE DATABASE IF NOT EXISTS bench_snap; DROP TABLE IF EXISTS bench_snap.t;
    CREATE TABLE bench_snap.t (id BIGINT PRIMARY KEY, i INT, u INT UNSIGNED, d DECIMAL(18,4),
      f DOUBLE, s VARCHAR(255), t TEXT, dt DATETIME(6), ts TIMESTAMP(3) NULL,
      e ENUM('new','paid','shipped'), b VARBINARY(64), j JSON)"
  for ((lo = 1; lo <= ROWS; lo += 1000000)); do
    hi=$((lo + 999999 > ROWS ? ROWS : lo + 999999))
    sql -e "SET SESSION sql_log_bin = 0; INSERT INTO bench_snap.t SELECT seq,
      CAST(seq * 7 % 100000 AS SIGNED) - 50000, seq, seq / 3, seq * 1.5,
      CONCAT('customer-', seq, '-', REPEAT('x', seq % 64)), REPEAT(MD5(seq), 3),
      '2024-01-01' + INTERVAL seq SECOND, FROM_UNIXTIME(1700000000 + seq),
      ELT(1 + seq % 3, 'new', 'paid', 'shipped'), UNHEX(MD5(seq)),
      JSON_OBJECT('seq', seq, 'tags', JSON_ARRAY('a', 'b')) FROM bench_snap.seq_${lo}_to_${hi}"
  done
fi

cat > "$work/snap.yaml" <<YAML
source:
  type: mysql
  hostname: 127.0.0.1
  port: $SLUICE_MARIADB_PORT
  username: $SLUICE_MARIADB_USER
  password: $SLUICE_MARIADB_PASSWORD
  tables: bench_snap\\.t
  server-id: 54499
  scan.startup.mode: snapshot
  scan.incremental.snapshot.chunk.size: $CHUNK
  scan.snapshot.parallelism: PARALLELISM
sink: {type: "null"}
pipeline:
  name: snapshot-bench
  state.dir: $work/state
  metrics.port: 0
YAML
sed 's/PARALLELISM/1/' "$work/snap.yaml" > "$work/snap1.yaml"
sed 's/PARALLELISM/2/' "$work/snap.yaml" > "$work/snap2.yaml"

# One measured command: prints "seconds user+sys_seconds peak_rss_kb".
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null 2> "$work/stderr" ||
    { cat "$work/stderr" >&2; exit 1; }
  awk '{printf "%s %.3f %s\n", $1, $2 + $3, $4}' "$work/time"
}
report() {  # name seconds cpu rss
  awk -v n="$1" -v s="$2" -v c="$3" -v r="$4" -v rows="$ROWS" \
    'BEGIN {printf "%-10s %8.2f s %12.0f rows/s %8.2f us/row CPU %8.1f MB peak RSS\n", n, s, rows / s, c * 1e6 / rows, r / 1024}'
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

uptime
: > "$work/sluice1.txt"
: > "$work/sluice2.txt"
: > "$work/mariadb.txt"
for ((run = 1; run <= RUNS; ++run)); do
  for n in 1 2; do
    rm -rf "$work/state"
    read -r s c r < <(measure "$build/cdc/daemon/sluice" run "$work/snap$n.yaml")
    grep -h "lock held" "$work/stderr" | head -1 | sed 's/.*\(consistent read.*\)/sluice: \1/'
    report "sluice-$n" "$s" "$c" "$r"
    echo "$s $c $r" >> "$work/sluice$n.txt"
  done
  read -r s c r < <(measure mariadb -h 127.0.0.1 -P "$SLUICE_MARIADB_PORT" -u "$SLUICE_MARIADB_USER" \
    -p"$SLUICE_MARIADB_PASSWORD" --quick --batch -e "SELECT * FROM bench_snap.t")
  report mariadb "$s" "$c" "$r"
  echo "$s $c $r" >> "$work/mariadb.txt"
done
ms=$(cut -d' ' -f1 "$work/mariadb.txt" | median)
echo "median of $RUNS runs:"
for n in 1 2; do
  ss=$(cut -d' ' -f1 "$work/sluice$n.txt" | median)
  sc=$(cut -d' ' -f2 "$work/sluice$n.txt" | median)
  sr=$(cut -d' ' -f3 "$work/sluice$n.txt" | median)
  report "sluice-$n" "$ss" "$sc" "$sr"
  goal=$([[ $n == 1 ]] && echo 0.8 || echo 1.4)
  awk -v a="$ss" -v b="$ms" -v n="$n" -v g="$goal" \
    'BEGIN {printf "sluice (%d connection(s)) / mariadb --quick rows/s: %.2fx (goal >= %sx)\n", n, b / a, g}'
done
uptime
