#!/usr/bin/env python3
"""The writer of tools/reliability/soak.sh: upserts RATE rows a second into soak.kv.

usage: soak_writer.py RATE KEYS -- MARIADB-CLIENT-COMMAND...

Four statements a second through one `mariadb --skip-reconnect` process reading its stdin;
v is a global sequence number (id = v mod KEYS + 1) and n counts a row's changes. When the
client dies (MariaDB killed), the statements in flight may or may not have committed: the
table says which (MAX(v)), and writing goes on from there with a new client. Stops on SIGTERM
after the statement in hand. The table is the truth; this process keeps no tally.
"""
import signal
import subprocess
import sys
import time

stop = False


def on_term(_signo, _frame):
    global stop
    stop = True


def statement(first, count, keys):
    rows = ",".join(f"({(v % keys) + 1},{v},1)" for v in range(first, first + count))
    return f"INSERT INTO soak.kv (id, v, n) VALUES {rows} ON DUPLICATE KEY UPDATE v = VALUES(v), n = n + 1;\n"


def resync(client):
    while not stop:
        r = subprocess.run(client + ["-e", "SELECT COALESCE(MAX(v), 0) FROM soak.kv"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return int(r.stdout.strip()) + 1
        time.sleep(0.5)
    return None


def main():
    rate, keys = int(sys.argv[1]), int(sys.argv[2])
    client = sys.argv[sys.argv.index("--") + 1:]
    signal.signal(signal.SIGTERM, on_term)
    batch = max(1, rate // 4)
    start = time.monotonic()
    written = 0  # rows asked for, for the pacing only
    nxt = 1
    proc = None
    while not stop:
        if proc is None or proc.poll() is not None:
            if proc is not None:
                time.sleep(0.5)
                nxt = resync(client)
                if nxt is None:
                    break
            proc = subprocess.Popen(client + ["--skip-reconnect"], stdin=subprocess.PIPE,
                                    stderr=sys.stderr, text=True)
        due = (time.monotonic() - start) * rate
        if written >= due:
            time.sleep(min(0.02, (written - due) / rate + 0.001))
            continue
        try:
            proc.stdin.write(statement(nxt, batch, keys))
            proc.stdin.flush()
            nxt += batch
        except (BrokenPipeError, OSError):
            proc.kill()
        written += batch
    if proc is not None and proc.poll() is None:
        proc.stdin.close()
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()
