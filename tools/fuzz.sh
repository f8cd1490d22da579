#!/usr/bin/env bash
# tools/fuzz.sh [seconds-per-target=60] [target...]
#
# ON DEMAND ONLY, NOT PART OF CI. CI runs the same targets as replay tests (ctest -R fuzz_replay,
# also under -DSLUICE_SANITIZE=ON); this script does the real, coverage-guided fuzzing.
#
# Installs clang if missing (apt: clang, libclang-rt-14-dev), configures $BUILD_DIR (default
# build-fuzz) with CC=clang CXX=clang++ -DSLUICE_FUZZ=ON -DSLUICE_SANITIZE=ON, builds the libFuzzer
# binaries fuzz_<target> (tests/fuzz/<target>_fuzz.cpp) and runs each for the given seconds on a
# scratch copy of its seed corpus ($BUILD_DIR/fuzz-corpus/<target>; new inputs never reach the
# repository). Targets default to all of tests/fuzz/*_fuzz.cpp.
#
# Exits non-zero if any target crashed, leaked, timed out (-timeout=$FUZZ_TIMEOUT per input,
# default 10 s; a loaded machine at nice 19 needs more, or a plain input times out) or ran out of
# memory; the input that did it is kept in $BUILD_DIR/fuzz-artifacts/<target>/ and the log in
# $BUILD_DIR/fuzz-logs/<target>.log. Reproduce with: $BUILD_DIR/tests/fuzz/fuzz_<target> <file>.
# To turn a finding into a CI test, copy the file to tests/fuzz/regressions/<target>/.
# FUZZ_KEEP_GOING=1: fork mode that records a finding and goes on fuzzing (libFuzzer
# -fork=1 -ignore_crashes=1 ...), to look past a known, not yet fixed bug.
# FUZZ_RUNS=N: also stop a target after N executions (-runs=N), whichever comes first.
# FUZZ_MERGE=1: after a target ran without a finding, minimise what it found (libFuzzer
# -merge=1 into a copy of the seeds) and write the inputs that add coverage beyond the seeds to
# tests/fuzz/campaign/<target>/, which the unit tests replay (tools/reliability/fuzz_campaign.sh).
# Every target's result line is also appended to $BUILD_DIR/fuzz-logs/summary.txt.
# FUZZ_NO_BUILD=1: use the binaries already in $BUILD_DIR (e.g. while another build runs there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${1:-60}"
INPUT_TIMEOUT="${FUZZ_TIMEOUT:-10}"
[[ $# -gt 0 ]] && shift
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [[ "$SECONDS_PER_TARGET" -eq 0 ]]; then
  echo "usage: $0 [seconds-per-target=60] [target...]" >&2
  exit 2
fi

ALL_TARGETS=()
for f in "$ROOT"/tests/fuzz/*_fuzz.cpp; do
  b="$(basename "$f")"
  ALL_TARGETS+=("${b%_fuzz.cpp}")
done
TARGETS=("$@")
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  if [[ ! -f "$ROOT/tests/fuzz/${t}_fuzz.cpp" ]]; then
    echo "unknown target '$t' (have: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done

# Longest input worth trying per target (bytes): about twice the largest seed.
max_len() {
  case "$1" in
    binlog_stream) echo 8192 ;;
    binlog_event | schema) echo 4096 ;;
    *) echo 1024 ;;
  esac
}

# --- clang + the libFuzzer runtime -------------------------------------------------------------
SUDO=""
[[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
have_fuzzer_runtime() {
  command -v clang++ >/dev/null 2>&1 || return 1
  local tmp
  tmp="$(mktemp -d)"
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
    >"$tmp/t.cpp"
  clang++ -fsanitize=fuzzer,address,undefined "$tmp/t.cpp" -o "$tmp/t" >/dev/null 2>&1
  local rc=$?
  rm -rf "$tmp"
  return $rc
}
if ! have_fuzzer_runtime; then
  echo "== installing clang and the libFuzzer runtime (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang libclang-rt-14-dev
  have_fuzzer_runtime || { echo "clang cannot link -fsanitize=fuzzer" >&2; exit 1; }
fi

# --- configure + build -------------------------------------------------------------------------
mkdir -p "$BUILD_DIR"
if [[ "${FUZZ_NO_BUILD:-0}" == 1 ]]; then
  for t in "${TARGETS[@]}"; do
    [[ -x "$BUILD_DIR/tests/fuzz/fuzz_$t" ]] || { echo "FUZZ_NO_BUILD: no $BUILD_DIR/tests/fuzz/fuzz_$t" >&2; exit 2; }
  done
else
echo "== configuring $BUILD_DIR (clang, SLUICE_FUZZ=ON, ASan+UBSan)"
# -O1 with line tables only: symbolised stack traces at about half the compile time of -O2 -g
# (an ASan+UBSan build of the ~160 files is long on a shared 2-core machine).
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_C_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
  -DSLUICE_FUZZ=ON -DSLUICE_SANITIZE=ON >"$BUILD_DIR/fuzz-configure.log" 2>&1 ||
  { cat "$BUILD_DIR/fuzz-configure.log" >&2; exit 1; }
build_targets=()
for t in "${TARGETS[@]}"; do build_targets+=("fuzz_$t"); done
echo "== building ${build_targets[*]}"
cmake --build "$BUILD_DIR" --target "${build_targets[@]}"
fi

# --- fuzz --------------------------------------------------------------------------------------
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
mkdir -p "$BUILD_DIR/fuzz-corpus" "$BUILD_DIR/fuzz-artifacts" "$BUILD_DIR/fuzz-logs"
failed=()
summary=()
# merge_campaign TARGET CORPUS → prints how many inputs tests/fuzz/campaign/TARGET now holds: the
# smallest set (libFuzzer -merge=1) of CORPUS's inputs that adds coverage to the seeds and the
# regressions. Replaces the directory, so a longer campaign's set supersedes a shorter one's.
merge_campaign() {
  local t=$1 corpus=$2 tmp f
  tmp="$(mktemp -d)"
  mkdir -p "$tmp/merged"
  for seeds in "$ROOT/tests/fuzz/corpus/$t" "$ROOT/tests/fuzz/regressions/$t"; do
    [[ -d "$seeds" ]] && cp "$seeds"/* "$tmp/merged"/ 2>/dev/null || true
  done
  ls "$tmp/merged" >"$tmp/seeds"
  "$BUILD_DIR/tests/fuzz/fuzz_$t" -merge=1 -max_len="$(max_len "$t")" -timeout="$INPUT_TIMEOUT" \
    -rss_limit_mb=2048 "$tmp/merged" "$corpus" >"$BUILD_DIR/fuzz-logs/$t.merge.log" 2>&1 ||
    { echo "merge of $t failed (log $BUILD_DIR/fuzz-logs/$t.merge.log)" >&2; rm -rf "$tmp"; echo "?"; return; }
  rm -rf "$ROOT/tests/fuzz/campaign/$t"
  mkdir -p "$ROOT/tests/fuzz/campaign/$t"
  for f in "$tmp/merged"/*; do
    grep -qxF "$(basename "$f")" "$tmp/seeds" || cp "$f" "$ROOT/tests/fuzz/campaign/$t/"
  done
  rm -rf "$tmp"
  ls "$ROOT/tests/fuzz/campaign/$t" | wc -l
}
for t in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/fuzz-corpus/$t"
  artifacts="$BUILD_DIR/fuzz-artifacts/$t"
  log="$BUILD_DIR/fuzz-logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  for seeds in "$ROOT/tests/fuzz/corpus/$t" "$ROOT/tests/fuzz/regressions/$t" \
    "$ROOT/tests/fuzz/campaign/$t"; do
    [[ -d "$seeds" ]] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  done
  echo "== fuzzing $t for ${SECONDS_PER_TARGET}s (corpus $corpus, $(ls "$corpus" | wc -l) inputs)"
  extra=()
  [[ "${FUZZ_KEEP_GOING:-0}" == 1 ]] &&
    extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  [[ -n "${FUZZ_RUNS:-}" ]] && extra+=(-runs="$FUZZ_RUNS")
  rc=0
  started=$(date +%s)
  # Artifacts of earlier runs (findings fixed since, kept as regressions) are not this run's.
  stamp="$(mktemp)"
  # The outer timeout only guards against a hung fuzzer process; libFuzzer stops itself.
  timeout --signal=INT --kill-after=30 $((SECONDS_PER_TARGET + 120)) \
    "$BUILD_DIR/tests/fuzz/fuzz_$t" "$corpus" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" -timeout="$INPUT_TIMEOUT" \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" >"$log" 2>&1 || rc=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  # fork mode prints no final stats: take the last "#<execs>" status line.
  [[ -z "$execs" ]] && execs="$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)"
  cov="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)"
  elapsed=$(($(date +%s) - started))
  # libFuzzer's slow-unit files are reports (an input over 10 s of wall time, e.g. on a loaded
  # machine), not findings: -timeout decides what is too slow.
  crashes="$(find "$artifacts" -type f ! -name 'slow-unit-*' -newer "$stamp" | wc -l)"
  rm -f "$stamp"
  added="-"
  if [[ "${FUZZ_MERGE:-0}" == 1 && $rc -eq 0 && $crashes -eq 0 ]]; then
    added="$(merge_campaign "$t" "$corpus")"
  fi
  line="$(printf '%-18s rc=%-3s execs=%-10s secs=%-5s execs/s=%-7s %-22s corpus=%-6s campaign=%-5s findings=%s' \
    "$t" "$rc" "${execs:-0}" "$elapsed" "$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) ))" \
    "${cov:-cov: ?}" "$(ls "$corpus" | wc -l)" "$added" "$crashes")"
  summary+=("$line")
  echo "$(date -u +%FT%TZ) $line" >>"$BUILD_DIR/fuzz-logs/summary.txt"
  if [[ $rc -ne 0 || $crashes -ne 0 ]]; then
    failed+=("$t")
    echo "!! $t: finding(s) in $artifacts (log $log)" >&2
    grep -E -A30 '^==[0-9]+==ERROR|fuzz invariant violated|runtime error|SUMMARY' "$log" | head -60 >&2 || true
  fi
done

echo "== summary (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -ne 0 ]]; then
  echo "FAILED: ${failed[*]} (reproduce: $BUILD_DIR/tests/fuzz/fuzz_<target> <artifact>)" >&2
  exit 1
fi
echo "no findings"
