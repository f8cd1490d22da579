#!/usr/bin/env python3
"""Binlog catch-up through the daemon a user runs: `sluice run` with a MySQL source and the null
sink, against `mariadb-binlog --read-from-remote-server --raw` on the same binlog files, runs
alternating in one session. Started by tools/bench/mysql_catchup.sh --daemon (which prepares
the backlog); on demand, never in CI.

usage: mysql_catchup_daemon.py --host H --port P --user U --password W --rows N
         --files FIRST ... LAST [--sluice BIN]... [--runs 3] [--include-query]
         [--timeout 900] [--work DIR]

One round runs, in turn: each --sluice binary (the option include.query left out of its YAML,
so the source's default applies; and with --include-query a second run with
`include.query: true`), then mariadb-binlog with ANNOTATE_ROWS (its default) and with
--skip-annotate-row-events. Every other round runs that list backwards, so that neither side
always goes first.

sluice: a fresh state dir, specific-offset start at FIRST:4, table bench.catchup, metrics on a
free 127.0.0.1 port that this one process polls every 10 ms. Wall seconds run from the start of
the process until sluice_source_events_read_total reaches N (start-up, connect and schema
history included); at that moment its CPU seconds (utime+stime of all threads,
/proc/PID/stat) and peak RSS (VmHWM, /proc/PID/status) are read. Then it waits for the null
sink to have all N (sluice_sink_events_written_total) and stops sluice with SIGTERM. Whether
the run received ANNOTATE_ROWS events is read from sluice_source_bytes_read_total: the nearer
of the two mariadb-binlog outputs' sizes.

mariadb-binlog: writes the files into a scratch dir (removed after each run); wall time from
start to exit, CPU and peak RSS from wait4(); its rows/s is N over its time.

Each round's lines are printed when it ends; then, per configuration, the range over the rounds of
rows/s, CPU us/row, RSS, and the ratio to the mariadb-binlog run of the same round with the same
ANNOTATE_ROWS setting (rows/s ratio; CPU ratio = its CPU per row over sluice's).
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from bench_metrics import scrape, value

POLL_S = 0.01
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of every thread of PID."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Run:
    def __init__(self, label, setting, seconds, cpu, rss, rows, bytes_read):
        self.label, self.setting = label, setting  # True when ANNOTATE_ROWS were received
        self.seconds, self.cpu, self.rss, self.rows, self.bytes = seconds, cpu, rss, rows, bytes_read

    def rate(self):
        return self.rows / self.seconds

    def us_per_row(self):
        return self.cpu * 1e6 / self.rows


def annotate_label(annotate):
    return "ANNOTATE_ROWS" if annotate else "no ANNOTATE_ROWS"


def sluice_yaml(a, include_query, state_dir, port):
    lines = [
        "source:",
        "  type: mysql",
        f"  hostname: {a.host}",
        f"  port: {a.port}",
        f"  username: {a.user}",
        f"  password: {a.password}",
        "  tables: bench\\.catchup",
        "  server-id: 54996",
        "  scan.startup.mode: specific-offset",
        f"  scan.startup.specific-offset.file: {a.files[0]}",
        "  scan.startup.specific-offset.pos: 4",
    ]
    if include_query:  # only when asked: a loader without the option refuses unknown keys
        lines.append("  include.query: true")
    lines += ["sink:", "  type: null", "pipeline:", "  name: catchup", f"  state.dir: {state_dir}",
              f"  metrics.port: {port}"]
    return "\n".join(lines) + "\n"


def stop(proc):
    """SIGTERM, then SIGKILL after 30 s; only this process, by its PID."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def run_sluice(a, label, binary, include_query, work):
    port = free_port()
    run_dir = tempfile.mkdtemp(prefix="run-", dir=work)
    yaml_path = os.path.join(run_dir, "pipeline.yaml")
    with open(yaml_path, "w") as f:
        f.write(sluice_yaml(a, include_query, os.path.join(run_dir, "state"), port))
    log_path = os.path.join(run_dir, "sluice.log")
    with open(log_path, "w") as log:
        t0 = time.monotonic()
        proc = subprocess.Popen([binary, "run", yaml_path, "--log-level", "warn"], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = t0 + a.timeout
        t_read = cpu = rss = None
        read = written = bytes_read = 0.0
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                with open(log_path) as f:
                    tail = f.read()[-2000:]
                sys.exit(f"{label}: sluice exited with {proc.returncode} before reading {a.rows} rows; log:\n{tail}")
            page = scrape(port)
            now = time.monotonic()
            read = value(page, "sluice_source_events_read_total") or 0
            if t_read is None and read >= a.rows:
                t_read, cpu, rss = now, cpu_seconds(proc.pid), peak_rss_mb(proc.pid)
                bytes_read = value(page, "sluice_source_bytes_read_total") or 0
            written = value(page, "sluice_sink_events_written_total") or 0
            if t_read is not None and written >= a.rows:
                break
            time.sleep(POLL_S)
        else:
            sys.exit(f"{label}: not done after {a.timeout} s (read {read:.0f}, written {written:.0f} of {a.rows})")
    finally:
        stop(proc)
    if read != a.rows:
        print(f"NOTE: {label} read {read:.0f} row changes, the backlog has {a.rows}", flush=True)
    shutil.rmtree(run_dir, ignore_errors=True)
    return Run(label, None, t_read - t0, cpu, rss, a.rows, bytes_read)  # setting: from the round's raw runs


def run_raw(a, annotate, work):
    out = tempfile.mkdtemp(prefix="raw-", dir=work)
    argv = ["mariadb-binlog", "--no-defaults", "--read-from-remote-server", "--raw", f"--host={a.host}",
            f"--port={a.port}", f"--user={a.user}", f"--password={a.password}", f"--result-file={out}/"]
    if not annotate:
        argv.append("--skip-annotate-row-events")
    label = "mariadb-binlog --raw" + ("" if annotate else " --skip-annotate-row-events")
    t0 = time.monotonic()
    proc = subprocess.Popen(argv + a.files, stdin=subprocess.DEVNULL)
    deadline = t0 + a.timeout
    while True:  # wait4 with a bound: poll WNOHANG until it exits or the deadline passes
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid != 0:
            break
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait(timeout=30)
            shutil.rmtree(out, ignore_errors=True)
            sys.exit(f"{label}: not done after {a.timeout} s")
        time.sleep(0.002)
    seconds = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        sys.exit(f"{label} failed with {proc.returncode}")
    return Run(label, annotate, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, a.rows, size)


def line(r, peer=None):
    s = (f"  {r.label:<62} {annotate_label(r.setting):<16} {r.rows:>9} rows {r.seconds:7.2f} s "
         f"{r.rate():9.0f} rows/s {r.cpu:7.2f} CPU s {r.us_per_row():6.3f} us/row {r.rss:6.1f} MB RSS "
         f"{r.bytes / 2**20:6.0f} MB")
    if peer is not None:
        s += f"  {r.rate() / peer.rate():5.2f}x raw, CPU {peer.us_per_row() / r.us_per_row():5.2f}x"
    return s


def spread(values, fmt):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))} (median {fmt.format(statistics.median(values))})"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--rows", type=int, required=True, help="row changes in the backlog")
    p.add_argument("--files", nargs="+", required=True, help="the binlog files, FIRST to LAST")
    p.add_argument("--sluice", action="append", help="a sluice binary (repeat to alternate two)")
    p.add_argument("--runs", type=int, default=3, help="rounds (1-20)")
    p.add_argument("--include-query", action="store_true", help="also run sluice with include.query: true")
    p.add_argument("--timeout", type=float, default=900, help="seconds one run may take")
    p.add_argument("--work", default=tempfile.gettempdir())
    a = p.parse_args()
    if a.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the benchmark talks to 127.0.0.1 only")
    if not 1 <= a.runs <= 20:
        sys.exit("--runs must be 1-20")
    binaries = [os.path.abspath(b) for b in (a.sluice or ["build/cdc/daemon/sluice"])]
    for b in binaries:
        if not os.access(b, os.X_OK):
            sys.exit(f"no sluice binary at {b}")
    work = tempfile.mkdtemp(prefix="sluice-catchup-daemon-", dir=a.work)

    configs = []  # (label, binary, include_query)
    for i, b in enumerate(binaries, 1):
        name = f"sluice[{i}] {os.path.relpath(b)}" if len(binaries) > 1 else f"sluice {os.path.relpath(b)}"
        configs.append((f"{name} (include.query unset)", b, False))
        if a.include_query:
            configs.append((f"{name} (include.query: true)", b, True))
    steps = [("sluice", c) for c in configs] + [("raw", True), ("raw", False)]

    print(f"mysql_catchup_daemon: {a.rows} row changes in {a.files[0]} .. {a.files[-1]} ({len(a.files)} files), "
          f"{a.runs} rounds; rows/s and CPU ratios are to mariadb-binlog --raw of the same round with the "
          f"same ANNOTATE_ROWS setting (for sluice: as its bytes read show)", flush=True)
    runs = []  # (round, Run)
    try:
        for rnd in range(1, a.runs + 1):
            order = steps if rnd % 2 else list(reversed(steps))
            done = [run_raw(a, arg, work) if kind == "raw" else run_sluice(a, *arg, work) for kind, arg in order]
            raw = {r.setting: r for r in done if r.setting is not None}
            for r in done:
                if r.setting is None:  # sluice: the ANNOTATE_ROWS setting its bytes read show
                    r.setting = abs(r.bytes - raw[True].bytes) < abs(r.bytes - raw[False].bytes)
                    r.peer = raw[r.setting]
                print(f"round {rnd}" + line(r, getattr(r, "peer", None)), flush=True)
                runs.append((rnd, r))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nsummary (min-max over rounds):")
    labels = []
    for _, r in runs:
        if (r.label, r.setting) not in labels:
            labels.append((r.label, r.setting))
    for label, setting in labels:
        rs = [r for _, r in runs if r.label == label and r.setting == setting]
        s = (f"  {label:<62} {annotate_label(setting):<16} {spread([r.rate() for r in rs], '{:.0f}')} rows/s, "
             f"{spread([r.us_per_row() for r in rs], '{:.3f}')} CPU us/row, RSS {max(r.rss for r in rs):.1f} MB")
        if all(hasattr(r, "peer") for r in rs):  # sluice
            s += (f", {spread([r.rate() / r.peer.rate() for r in rs], '{:.2f}')}x raw, "
                  f"CPU {spread([r.peer.us_per_row() / r.us_per_row() for r in rs], '{:.2f}')}x")
        print(s)


if __name__ == "__main__":
    main()
