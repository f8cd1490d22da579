"""Reading sluice's Prometheus /metrics from a benchmark, without forking curl (imported by
kafka_bench_poll.py and mysql_catchup_daemon.py, which run beside it in tools/bench/)."""
import urllib.request

# Straight to 127.0.0.1, whatever http_proxy says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def scrape(port):
    """The /metrics page of the sluice on 127.0.0.1:PORT, or "" while it does not answer."""
    try:
        with _OPENER.open(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            return r.read().decode()
    except OSError:
        return ""


def value(page, name, label=None):
    """The sum of the series of `name` (with `label` in their labels, if given), or None."""
    total, found = 0.0, False
    for line in page.splitlines():
        if line.startswith(name + "{") and (label is None or label in line):
            total += float(line.rsplit(" ", 1)[1])
            found = True
    return total if found else None
