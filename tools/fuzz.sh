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
# Exits non-zero if any target crashed, leaked, timed out (-timeout=10 per input) or ran out of
# memory; the input that did it is kept in $BUILD_DIR/fuzz-artifacts/<target>/ and the log in
# $BUILD_DIR/fuzz-logs/<target>.log. Reproduce with: $BUILD_DIR/tests/fuzz/fuzz_<target> <file>.
# To turn a finding into a CI test, copy the file to tests/fuzz/regressions/<target>/.
# FUZZ_KEEP_GOING=1: fork mode that records a finding and goes on fuzzing (libFuzzer
# -fork=1 -ignore_crashes=1 ...), to look past a known, not yet fixed bug.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${1:-60}"
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
echo "== configuring $BUILD_DIR (clang, SLUICE_FUZZ=ON, ASan+UBSan)"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_FUZZ=ON -DSLUICE_SANITIZE=ON >"$BUILD_DIR/fuzz-configure.log" 2>&1 ||
  { cat "$BUILD_DIR/fuzz-configure.log" >&2; exit 1; }
build_targets=()
for t in "${TARGETS[@]}"; do build_targets+=("fuzz_$t"); done
echo "== building ${build_targets[*]}"
cmake --build "$BUILD_DIR" --target "${build_targets[@]}"

# --- fuzz --------------------------------------------------------------------------------------
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
mkdir -p "$BUILD_DIR/fuzz-corpus" "$BUILD_DIR/fuzz-artifacts" "$BUILD_DIR/fuzz-logs"
failed=()
summary=()
for t in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/fuzz-corpus/$t"
  artifacts="$BUILD_DIR/fuzz-artifacts/$t"
  log="$BUILD_DIR/fuzz-logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  for seeds in "$ROOT/tests/fuzz/corpus/$t" "$ROOT/tests/fuzz/regressions/$t"; do
    [[ -d "$seeds" ]] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  done
  echo "== fuzzing $t for ${SECONDS_PER_TARGET}s (corpus $corpus, $(ls "$corpus" | wc -l) inputs)"
  extra=()
  [[ "${FUZZ_KEEP_GOING:-0}" == 1 ]] &&
    extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  rc=0
  # The outer timeout only guards against a hung fuzzer process; libFuzzer stops itself.
  timeout --signal=INT --kill-after=30 $((SECONDS_PER_TARGET + 120)) \
    "$BUILD_DIR/tests/fuzz/fuzz_$t" "$corpus" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" >"$log" 2>&1 || rc=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  # fork mode prints no final stats: take the last "#<execs>" status line.
  [[ -z "$execs" ]] && execs="$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)"
  cov="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)"
  crashes="$(find "$artifacts" -type f | wc -l)"
  summary+=("$(printf '%-14s rc=%-3s execs=%-10s execs/s=%-7s %-22s corpus=%-5s findings=%s' \
    "$t" "$rc" "${execs:-0}" "$(( ${execs:-0} / SECONDS_PER_TARGET ))" "${cov:-cov: ?}" \
    "$(ls "$corpus" | wc -l)" "$crashes")")
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
