#!/usr/bin/env python3
"""Instructions per row image of the binlog catch-up through the daemon, counted by callgrind:
`sluice run` (MySQL source, null sink) under `valgrind --tool=callgrind` on a prepared backlog.
Started by tools/bench/mysql_catchup.sh --callgrind (which prepares the backlog); on demand,
never in CI. Instruction counts do not depend on what else runs on the machine, so this is the
measurement to use when the machine is loaded (a wall-time comparison needs a quiet one).

usage: mysql_catchup_callgrind.py --host H --port P --user U --password W --rows N
         --files FIRST ... LAST [--sluice BIN]... [--timeout 900] [--work DIR]

Per binary: the catch-up YAML of mysql_catchup_daemon.py (fresh state dir, specific-offset start
at FIRST:4, table bench.catchup, plain text, include.query left to its default), run under
callgrind until sluice_source_events_read_total reaches N (the whole backlog), then SIGTERM.
Printed from the callgrind profiles (one per thread): instructions of the whole process (start-up
and shutdown included, a fixed cost of a few tens of millions, and the metrics endpoint's
answers to this script's polls, which grow with the run's duration), of the reader thread (the
one that decodes: start-up and the other threads left out), and inclusive of
`BinlogStream::emit_pending` (decoding the rows and building their change events), each per row
image (a row image = one `decode_row_image` call: an INSERT or DELETE row has one, an UPDATE row
two), and inclusive of `decode_row_image` per image.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from bench_metrics import scrape, value
from mysql_catchup_daemon import prepare_run, stop

POLL_S = 0.2


def parse_callgrind(path):
    """(total Ir, {function name: [calls, inclusive Ir]}) from a callgrind output file."""
    names = {}
    calls = {}
    total = 0
    pending = None  # the callee of the `calls=` line whose cost line comes next
    cfn = None
    with open(path) as f:
        for line in f:
            if line.startswith(("fn=", "cfn=", "cfi=", "cfl=")):
                key, rest = line.rstrip("\n").split("=", 1)
                m = re.match(r"\((\d+)\)(?: (.*))?", rest)
                name = rest
                if m:
                    name = names.setdefault((key[-2:], m.group(1)), m.group(2)) if m.group(2) \
                        else names.get((key[-2:], m.group(1)), "?")
                if key == "cfn":
                    cfn = name
                continue
            if line.startswith("calls="):
                pending = (cfn, int(line.split("=", 1)[1].split()[0]))
                continue
            if pending is not None:
                fields = line.split()
                entry = calls.setdefault(pending[0], [0, 0])
                entry[0] += pending[1]
                entry[1] += int(fields[-1]) if len(fields) > 1 else 0  # positions, then Ir
                pending = None
                continue
            if line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])
    return total, calls


def reader_costs(run_dir, marker, fragments):
    """From the profiles in run_dir (one per thread: callgrind.out-01, ...): the whole process's
    Ir, the reader thread's (the thread that calls `marker`), the calls of `marker` and their
    inclusive Ir, and the inclusive Ir of each of `fragments` in the reader thread."""
    total = reader = marker_calls = marker_ir = 0
    parts = [0] * len(fragments)
    for name in sorted(os.listdir(run_dir)):
        if not name.startswith("callgrind.out"):
            continue
        thread_total, calls = parse_callgrind(os.path.join(run_dir, name))
        total += thread_total
        n, ir = find(calls, marker)
        if n:
            reader += thread_total
            marker_calls += n
            marker_ir += ir
            parts = [p + find(calls, f)[1] for p, f in zip(parts, fragments)]
    return total, reader, marker_calls, marker_ir, parts


def find(calls, fragment):
    hits = [(n, v) for n, v in calls.items() if n and fragment in n]
    if not hits:
        return 0, 0
    return sum(v[0] for _, v in hits), sum(v[1] for _, v in hits)


def run(a, binary, work):
    port, run_dir, yaml_path, log_path = prepare_run(a, False, work, prefix="cg-")
    out = os.path.join(run_dir, "callgrind.out")
    cmd = ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}",
           binary, "run", yaml_path, "--log-level", "warn"]
    print("$ " + " ".join(cmd), flush=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + a.timeout
        read = 0
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                with open(log_path) as f:
                    sys.exit(f"sluice exited with {proc.returncode}; log:\n{f.read()[-2000:]}")
            read = value(scrape(port), "sluice_source_events_read_total") or 0
            if read >= a.rows:
                break
            time.sleep(POLL_S)
        else:
            sys.exit(f"not done after {a.timeout} s (read {read:.0f} of {a.rows})")
    finally:
        stop(proc)
    total, reader, images, image_ir, (emit_ir,) = reader_costs(
        run_dir, "decode_row_image", ["BinlogStream::emit_pending"])
    if images == 0:
        sys.exit(f"no decode_row_image calls in {run_dir}")
    print(f"{binary}: {read:.0f} row changes, {images} row images, {total:,} instructions", flush=True)
    print(f"  per row image: whole process {total / images:,.0f}, reader thread {reader / images:,.0f}, "
          f"BinlogStream::emit_pending {emit_ir / images:,.0f}, decode_row_image {image_ir / images:,.0f}",
          flush=True)
    if a.keep:
        print(f"  profiles kept: {out}-*", flush=True)
    else:
        shutil.rmtree(run_dir, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    for k in ("--host", "--user", "--password"):
        p.add_argument(k, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--files", nargs="+", required=True)
    p.add_argument("--sluice", action="append", required=True)
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--work", default=None)
    p.add_argument("--keep", action="store_true", help="keep each profile (callgrind_annotate it)")
    a = p.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="sluice-callgrind-")
    for binary in a.sluice:
        run(a, binary, work)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
