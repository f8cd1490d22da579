#!/usr/bin/env python3
"""Times one sluice catch-up into Kafka from its /metrics, in one process (the bench's former
curl+awk loop forked ~150 processes a second on the 2 cores sluice was measured on).

usage: kafka_bench_poll.py PORT PID ROWS TOPIC [PERF_OUT]
Prints "<t_first> <t_acked> <t_committed>" (Unix seconds): the first event handed to the sink
(sluice_sink_events_written_total > 0), every record acknowledged by the broker
(sluice_kafka_records_acknowledged_total >= ROWS; t_committed when the metric is absent) and
every record of TOPIC committed (sluice_kafka_records_total{topic} >= ROWS). With PERF_OUT,
profiles one second from t_first with perf (`perf record -p` follows only the threads that
exist when it attaches). Exits 1 when sluice exits first.
"""
import os
import subprocess
import sys
import time

from bench_metrics import scrape, value


def main():
    port, pid, rows, topic = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    perf_out = sys.argv[5] if len(sys.argv) > 5 else ""
    t_first = t_acked = None
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit(1)
        page = scrape(port)
        now = time.time()
        if t_first is None:
            if (value(page, "sluice_sink_events_written_total") or 0) > 0:
                t_first = now
                if perf_out:
                    subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "1999", "--call-graph", "dwarf,16384",
                                      "-p", str(pid), "-o", perf_out, "--", "sleep", "1"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            else:
                time.sleep(0.005)
                continue
        acked = value(page, "sluice_kafka_records_acknowledged_total")
        if t_acked is None and acked is not None and acked >= rows:
            t_acked = now
        if (value(page, "sluice_kafka_records_total", f'topic="{topic}"') or 0) >= rows:
            print(f"{t_first:.6f} {t_acked if t_acked is not None else now:.6f} {now:.6f}")
            return
        time.sleep(0.01)


main()
