#!/usr/bin/env bash
# tools/reliability/soak.sh [seconds=600] [rows-per-second=2000]
#
# ON DEMAND ONLY, NOT PART OF CI. Runs `sluice run` (datagen → file sink, exactly-once
# checkpoints every second) at a steady rate for the given time, samples its RSS and CPU time
# every 10 s from /proc, then stops it with SIGTERM and checks that the file holds every row
# exactly once, in order. Prints each sample and the summary: max RSS, the RSS slope over the
# second half (KiB per minute; flat is ~0), CPU per 1,000 rows, rows checked, lost, duplicated.
# Bounded by its arguments; needs no servers. Exits non-zero if a row is lost or repeated.
# Results go to tools/bench/RESULTS.md ("Reliability").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SLUICE="${SLUICE:-$ROOT/build/cdc/daemon/sluice}"
SECONDS_TOTAL="${1:-600}"
RATE="${2:-2000}"
INTERVAL=10
[[ -x "$SLUICE" ]] || { echo "no sluice binary at $SLUICE (build it, or set SLUICE)" >&2; exit 2; }

DIR="$(mktemp -d /tmp/sluice-soak-XXXXXX)"
trap 'kill -TERM "${PID:-0}" 2>/dev/null || true; rm -rf "$DIR"' EXIT
cat >"$DIR/pipeline.yaml" <<YAML
source:
  type: datagen
  table: soak
  rows-per-second: $RATE
  seed: 11
  columns:
    - {name: id, type: bigint, kind: sequence, primary-key: true}
    - {name: amount, type: 'decimal(12,2)', min: 0, max: 10000}
    - {name: note, type: varchar(64)}
sink:
  type: file
  path: $DIR/out.jsonl
  value.format: upsert
pipeline:
  name: soak
  state.dir: $DIR/state
  checkpoint.interval: 1s
  metrics.port: 0
YAML

"$SLUICE" run "$DIR/pipeline.yaml" >"$DIR/stdout.log" 2>"$DIR/stderr.log" &
PID=$!
CLK_TCK="$(getconf CLK_TCK)"
echo "soak: sluice pid $PID, ${SECONDS_TOTAL}s at ${RATE} rows/s, sampling every ${INTERVAL}s"
printf '%8s %10s %10s %12s\n' "t(s)" "rss(KiB)" "cpu(s)" "rows"
samples=()
start=$(date +%s)
while :; do
  sleep "$INTERVAL"
  now=$(( $(date +%s) - start ))
  kill -0 "$PID" 2>/dev/null || { echo "sluice exited early: $(tail -3 "$DIR/stderr.log")" >&2; exit 1; }
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
  read -r utime stime < <(awk '{print $14, $15}' "/proc/$PID/stat")
  cpu=$(awk -v u="$utime" -v s="$stime" -v t="$CLK_TCK" 'BEGIN {printf "%.2f", (u + s) / t}')
  rows=$(wc -l <"$DIR/out.jsonl" 2>/dev/null || echo 0)
  printf '%8d %10d %10s %12d\n' "$now" "$rss" "$cpu" "$rows"
  samples+=("$now $rss $cpu $rows")
  (( now >= SECONDS_TOTAL )) && break
done
kill -TERM "$PID"
wait "$PID" || { echo "sluice did not exit 0 on SIGTERM" >&2; exit 1; }
PID=""

# Every row once, in order: ids 1..N.
check=$(awk -F'[:,}]' '{ id = $3 + 0; if (id != NR) bad++ } END { printf "%d %d", NR, bad + 0 }' "$DIR/out.jsonl")
read -r rows bad <<<"$check"
printf '%s\n' "${samples[@]}" | awk -v rows="$rows" -v bad="$bad" '
  { t[NR] = $1; r[NR] = $2; c[NR] = $3; n[NR] = $4; if ($2 > max) max = $2 }
  END {
    h = int(NR / 2) + 1; sx = sy = sxy = sxx = 0; k = 0
    for (i = h; i <= NR; i++) { k++; sx += t[i]; sy += r[i]; sxy += t[i] * r[i]; sxx += t[i] * t[i] }
    slope = (k > 1) ? (k * sxy - sx * sy) / (k * sxx - sx * sx) * 60 : 0
    printf "summary: samples %d, max RSS %d KiB, RSS slope over the second half %.1f KiB/min, ", NR, max, slope
    printf "first/last RSS %d/%d KiB, CPU %.2f s for %d rows (%.3f s per 1,000), ", r[1], r[NR], c[NR], rows, rows ? c[NR] * 1000 / rows : 0
    printf "rows checked %d, lost, repeated or out of order %d\n", rows, bad
  }'
[[ "$bad" -eq 0 ]] || exit 1
