#!/usr/bin/env bash
# tools/reliability/fuzz_campaign.sh [target...]
#
# ON DEMAND ONLY, NOT PART OF CI (issue 19, "Fuzzing campaign"). Runs each libFuzzer target of
# tests/fuzz (default: all, one at a time) under ASan+UBSan until 10 million executions or 30
# minutes, whichever comes first, then minimises what it found into tests/fuzz/campaign/<target>/
# (replayed by the unit tests; commit it). A target with a finding keeps its input in
# build-fuzz/fuzz-artifacts/<target>/ and gets no campaign update: fix it and copy the input to
# tests/fuzz/regressions/<target>/.
# Each target's line (executions, seconds, cov/ft of libFuzzer's last status line, corpus size,
# campaign inputs kept, findings) is appended to build-fuzz/fuzz-logs/summary.txt; the results
# of the campaigns run so far are in tools/bench/RESULTS.md ("Fuzzing campaign").
# FUZZ_CAMPAIGN_RUNS (10000000), FUZZ_CAMPAIGN_SECONDS (1800), FUZZ_CAMPAIGN_NICE (10) change the
# bounds (and FUZZ_TIMEOUT, seconds per input, tools/fuzz.sh: 60 on a loaded machine). The whole
# set takes up to 20 x 30 min on a busy machine.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${FUZZ_CAMPAIGN_RUNS:-10000000}"
seconds="${FUZZ_CAMPAIGN_SECONDS:-1800}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for f in "$ROOT"/tests/fuzz/*_fuzz.cpp; do
    b="$(basename "$f")"
    targets+=("${b%_fuzz.cpp}")
  done
fi
rc=0
for t in "${targets[@]}"; do  # one per fuzz.sh call: a finding in one target stops no other
  FUZZ_RUNS="$runs" FUZZ_MERGE=1 nice -n "${FUZZ_CAMPAIGN_NICE:-10}" "$ROOT/tools/fuzz.sh" "$seconds" "$t" || rc=1
done
exit $rc
