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

sluice: a fresh state dir and server-id (next_server_id), specific-offset start at FIRST:4, table
bench.catchup, plain text (ssl-mode: disabled, as mariadb-binlog reads; over TLS the daemon
holds the last events of a catch-up until the next heartbeat, up to heartbeat.interval = 30 s),
metrics on a free 127.0.0.1 port that this one process polls every 10 ms. Wall seconds run
from the start of the process until sluice_source_events_read_total reaches N (start-up,
connect and schema history included); at that moment its CPU seconds (utime+stime of all threads,
/proc/PID/stat) and peak RSS (VmHWM, /proc/PID/status) are read. Then it waits for the null
sink to have all N (sluice_sink_events_written_total) and stops sluice with SIGTERM. Whether
the run received ANNOTATE_ROWS events is read from sluice_source_bytes_read_total: the nearer
of the two mariadb-binlog outputs' sizes ("?" when those differ by less than 0.5 %: the
INSERT ... SELECT backlog of mysql_catchup_bench has one ANNOTATE_ROWS per 20 000-row
statement, a few kB in all).

mariadb-binlog: writes the files into a scratch dir (removed after each run); wall time from
start to exit, CPU and peak RSS from wait4(); its rows/s is N over its time.

With --server-pid (mysql_catchup.sh passes the bench server's), each run also reports the
server's CPU per row over the same interval (utime+stime of mariadbd, which does nothing else
meanwhile: its dump thread and the connection's set-up), so that a run's two sides on the two
cores can be told apart.

Each round's lines are printed when it ends; then, per configuration, the range over the rounds
of rows/s, CPU us/row, RSS, and each sluice run's ratios to both mariadb-binlog runs of its round
("raw": with ANNOTATE_ROWS, "raw-skip": without; rows/s ratio, and CPU ratio = mariadb-binlog's
CPU per row over sluice's; above 1 sluice is ahead). Compare sluice with the raw run of the
same ANNOTATE_ROWS setting.
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
    def __init__(self, label, annotate, seconds, cpu, rss, rows, bytes_read, server_cpu=None):
        self.label = label
        self.server_cpu = server_cpu  # the server's CPU seconds over the run, with --server-pid
        self.annotate = annotate  # ANNOTATE_ROWS received: True, False, None (sluice, until told)
        self.seconds, self.cpu, self.rss, self.rows, self.bytes = seconds, cpu, rss, rows, bytes_read
        self.raw = {}  # sluice: the round's mariadb-binlog runs, by their annotate

    def rate(self):
        return self.rows / self.seconds

    def us_per_row(self):
        return self.cpu * 1e6 / self.rows


def annotate_label(annotate):
    return {True: "ANNOTATE_ROWS", False: "no ANNOTATE_ROWS", None: "ANNOTATE_ROWS ?"}[annotate]


def received_annotate(bytes_read, raw):
    """Whether a sluice run received ANNOTATE_ROWS: the mariadb-binlog output of this round that
    its bytes read are nearer to; None when the two outputs differ by less than 0.5 % (a backlog
    of few statements of many rows, where the setting cannot be told and does not matter)."""
    with_a, without = raw[True].bytes, raw[False].bytes
    if with_a - without < with_a * 0.005:
        return None
    return abs(bytes_read - with_a) < abs(bytes_read - without)


def ratios(r):
    """rows/s and CPU-per-row ratios of a sluice run to the raw runs of its round (>1: sluice ahead)."""
    return {k: (r.rate() / r.raw[k].rate(), r.raw[k].us_per_row() / r.us_per_row())
            for k in (True, False) if k in r.raw}


# Each sluice run registers with a server-id of its own. A stopped run's dump thread stays on the
# server, waiting at the binlog's end for the next event or heartbeat, and the next replica that
# registers with the same id makes the server kill it first: that delayed the first event of
# every run after a run that read to the binlog's end by 0.10 s (0.12-0.13 s instead of
# 0.02-0.03 s; none with an id of its own). That wait belongs to the run before, not to the
# catch-up measured; mariadb-binlog leaves no such thread (its dump ends at the last file's end).
_run_count = 0


def next_server_id():
    global _run_count
    _run_count += 1
    return 1_000_000 + (os.getpid() % 100_000) * 100 + _run_count % 100


def sluice_yaml(a, include_query, state_dir, port):
    lines = [
        "source:",
        "  type: mysql",
        f"  hostname: {a.host}",
        f"  port: {a.port}",
        f"  username: {a.user}",
        f"  password: {a.password}",
        "  tables: bench\\.catchup",
        f"  server-id: {next_server_id()}",
        "  scan.startup.mode: specific-offset",
        f"  scan.startup.specific-offset.file: {a.files[0]}",
        "  scan.startup.specific-offset.pos: 4",
        "  ssl-mode: disabled",  # plain text, as mariadb-binlog reads
    ]
    if include_query:  # only when asked: a loader without the option refuses unknown keys
        lines.append("  include.query: true")
    lines += ["sink:", "  type: null", "pipeline:", "  name: catchup", f"  state.dir: {state_dir}",
              f"  metrics.port: {port}"]
    return "\n".join(lines) + "\n"


class NoIncludeQuery(Exception):
    """A sluice binary from before the include.query option (its loader refuses the key)."""


def stop(proc):
    """SIGTERM, then SIGKILL after 30 s; only this process, by its PID."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def prepare_run(a, include_query, work, prefix="run-"):
    """A fresh run dir with the pipeline YAML: (metrics port, run dir, YAML path, log path)."""
    port = free_port()
    run_dir = tempfile.mkdtemp(prefix=prefix, dir=work)
    yaml_path = os.path.join(run_dir, "pipeline.yaml")
    with open(yaml_path, "w") as f:
        f.write(sluice_yaml(a, include_query, os.path.join(run_dir, "state"), port))
    return port, run_dir, yaml_path, os.path.join(run_dir, "sluice.log")


def server_cpu(a):
    return cpu_seconds(a.server_pid) if a.server_pid else None


def server_cpu_since(a, start):
    return None if start is None else cpu_seconds(a.server_pid) - start


def run_sluice(a, label, binary, include_query, work):
    port, run_dir, yaml_path, log_path = prepare_run(a, include_query, work)
    with open(log_path, "w") as log:
        server0 = server_cpu(a)
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
                if include_query and proc.returncode == 2 and "unknown key 'include.query'" in tail:
                    raise NoIncludeQuery(label)
                sys.exit(f"{label}: sluice exited with {proc.returncode} before reading {a.rows} rows; log:\n{tail}")
            page = scrape(port)
            now = time.monotonic()
            read = value(page, "sluice_source_events_read_total") or 0
            if t_read is None and read >= a.rows:
                t_read, cpu, rss = now, cpu_seconds(proc.pid), peak_rss_mb(proc.pid)
                server = server_cpu_since(a, server0)
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
    return Run(label, None, t_read - t0, cpu, rss, a.rows, bytes_read, server)


def run_raw(a, annotate, work):
    out = tempfile.mkdtemp(prefix="raw-", dir=work)
    argv = ["mariadb-binlog", "--no-defaults", "--read-from-remote-server", "--raw", f"--host={a.host}",
            f"--port={a.port}", f"--user={a.user}", f"--password={a.password}", f"--result-file={out}/"]
    if not annotate:
        argv.append("--skip-annotate-row-events")
    label = "mariadb-binlog --raw" + ("" if annotate else " --skip-annotate-row-events")
    server0 = server_cpu(a)
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
    server = server_cpu_since(a, server0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        sys.exit(f"{label} failed with {proc.returncode}")
    return Run(label, annotate, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, a.rows, size,
               server)


def line(r):
    s = (f"  {r.label:<58} {annotate_label(r.annotate):<16} {r.rows:>9} rows {r.seconds:7.2f} s "
         f"{r.rate():9.0f} rows/s {r.cpu:7.2f} CPU s {r.us_per_row():6.3f} us/row {r.rss:6.1f} MB RSS "
         f"{r.bytes / 2**20:8.1f} MB")
    if r.server_cpu is not None:
        s += f" server {r.server_cpu * 1e6 / r.rows:6.3f} us/row"
    for k, (rate, cpu) in ratios(r).items():
        s += f"  | {rate:5.2f}x {'raw' if k else 'raw-skip'}, CPU {cpu:5.2f}x"
    return s


def spread(values, fmt):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))} (median {fmt.format(statistics.median(values))})"


def summary(label, annotate, rs):
    s = (f"  {label:<58} {annotate_label(annotate):<16} {spread([r.rate() for r in rs], '{:.0f}')} rows/s, "
         f"{spread([r.us_per_row() for r in rs], '{:.3f}')} CPU us/row, RSS {max(r.rss for r in rs):.1f} MB")
    for k in (True, False):
        if all(k in r.raw for r in rs):
            s += (f"\n  {'':<58} {'':<16} {spread([ratios(r)[k][0] for r in rs], '{:.2f}')}x "
                  f"{'raw' if k else 'raw-skip'}, CPU {spread([ratios(r)[k][1] for r in rs], '{:.2f}')}x")
    return s


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
    p.add_argument("--server-pid", type=int, help="mariadbd's PID: report its CPU per row too")
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
        shown = b if os.path.relpath(b).startswith("..") else os.path.relpath(b)
        name = f"sluice[{i}] {shown}" if len(binaries) > 1 else f"sluice {shown}"
        configs.append((f"{name} (include.query unset)", b, False))
        if a.include_query:
            configs.append((f"{name} (include.query: true)", b, True))
    steps = [("sluice", c) for c in configs] + [("raw", True), ("raw", False)]

    print(f"mysql_catchup_daemon: {a.rows} row changes in {a.files[0]} .. {a.files[-1]} ({len(a.files)} files), "
          f"{a.runs} rounds. Ratios of sluice to mariadb-binlog of the same round: raw = with ANNOTATE_ROWS, "
          f"raw-skip = --skip-annotate-row-events; sluice's ANNOTATE_ROWS column is read from its bytes received "
          f"('?': the two raw outputs differ by < 0.5 %, the setting cannot matter on this backlog)", flush=True)
    runs = []  # (round, Run)
    try:
        for rnd in range(1, a.runs + 1):
            order = list(steps) if rnd % 2 else list(reversed(steps))  # a copy: steps may shrink
            done = []
            for kind, arg in order:
                try:
                    done.append(run_raw(a, arg, work) if kind == "raw" else run_sluice(a, *arg, work))
                except NoIncludeQuery as e:
                    print(f"{e}: this binary has no include.query option; left out from now on", flush=True)
                    steps.remove((kind, arg))
            raw = {r.annotate: r for r in done if r.label.startswith("mariadb-binlog")}
            for r in done:
                if r not in raw.values():
                    r.raw = raw
                    r.annotate = received_annotate(r.bytes, raw)
                print(f"round {rnd}" + line(r), flush=True)
                runs.append((rnd, r))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nsummary (min-max over rounds):")
    groups = {}
    for _, r in runs:
        groups.setdefault((r.label, r.annotate), []).append(r)
    for (label, annotate), rs in groups.items():
        print(summary(label, annotate, rs))


if __name__ == "__main__":
    main()
