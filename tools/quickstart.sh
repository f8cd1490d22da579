#!/usr/bin/env bash
# The newcomer's one command: installs what sluice needs, builds it, starts a private local
# MariaDB with a demo table, runs the pipeline config/examples/mariadb-to-stdout.yaml (every
# change to demo.orders printed as Debezium JSON), and makes inserts, updates and deletes so
# you see their events. Then it stops what it started.
#
#   tools/quickstart.sh              the demo above, then stop
#   tools/quickstart.sh --keep       leave MariaDB and sluice running; change demo.orders
#                                    yourself (the command to connect is printed); Ctrl-C stops
#
# Ports: MariaDB on $SLUICE_MARIADB_PORT (33061), sluice metrics on $SLUICE_METRICS_PORT (19249).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
KEEP=0
case ${1:-} in
  --keep) KEEP=1 ;;
  "") ;;
  *) echo "usage: tools/quickstart.sh [--keep]" >&2; exit 2 ;;
esac

export SLUICE_MARIADB_PORT=${SLUICE_MARIADB_PORT:-33061}
export SLUICE_METRICS_PORT=${SLUICE_METRICS_PORT:-19249}
WORK=${SLUICE_QUICKSTART_DIR:-/tmp/sluice-quickstart}
export SLUICE_STATE_DIR=$WORK/state
BUILD=${SLUICE_BUILD_DIR:-$REPO/build}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Installing packages (tools/install.sh)"
tools/install.sh

step "Building sluice in $BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target sluice -j"$(nproc)"
SLUICE=$BUILD/cdc/daemon/sluice

SLUICE_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n $SLUICE_PID ]] && kill -0 "$SLUICE_PID" 2>/dev/null; then
    kill -TERM "$SLUICE_PID" 2>/dev/null || true
    wait "$SLUICE_PID" 2>/dev/null || true
  fi
  tools/services.sh stop "$WORK/services" >/dev/null || true
}
trap cleanup EXIT INT TERM

step "Starting a private MariaDB on 127.0.0.1:$SLUICE_MARIADB_PORT (data in $WORK/services)"
mkdir -p "$WORK"
rm -rf "$SLUICE_STATE_DIR"  # a fresh demo each time: start from the server's latest position
tools/services.sh start "$WORK/services" --only mariadb
# shellcheck disable=SC1091
source "$WORK/services/services.env"
export SLUICE_MARIADB_PASSWORD
sql() { mariadb --no-defaults --protocol=socket --socket="$SLUICE_MARIADB_ROOT_SOCKET" -uroot "$@"; }
sql -e "CREATE DATABASE IF NOT EXISTS demo;
        DROP TABLE IF EXISTS demo.orders;
        CREATE TABLE demo.orders (
          id INT PRIMARY KEY AUTO_INCREMENT,
          customer VARCHAR(64) NOT NULL,
          amount DECIMAL(10,2) NOT NULL,
          status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new',
          created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
        ) DEFAULT CHARSET=utf8mb4;"

step "Running: sluice run config/examples/mariadb-to-stdout.yaml"
"$SLUICE" validate config/examples/mariadb-to-stdout.yaml
"$SLUICE" run config/examples/mariadb-to-stdout.yaml > "$WORK/events.jsonl" 2> "$WORK/sluice.log" &
SLUICE_PID=$!
for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$SLUICE_METRICS_PORT/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SLUICE_PID" 2>/dev/null; then cat "$WORK/sluice.log" >&2; echo "sluice exited" >&2; exit 1; fi
  sleep 0.1
done
curl -fs "http://127.0.0.1:$SLUICE_METRICS_PORT/readyz" >/dev/null || { cat "$WORK/sluice.log" >&2; exit 1; }

if ((KEEP)); then
  step "sluice is streaming demo.orders. In another terminal, change it:"
  echo "  mariadb --no-defaults -h127.0.0.1 -P$SLUICE_MARIADB_PORT -usluice -p$SLUICE_MARIADB_PASSWORD demo"
  echo "  metrics: http://127.0.0.1:$SLUICE_METRICS_PORT/metrics     Ctrl-C stops sluice and MariaDB"
  tail -f "$WORK/events.jsonl" &
  TAIL=$!
  wait "$SLUICE_PID" || true
  kill "$TAIL" 2>/dev/null || true
  exit 0
fi

step "Changing demo.orders: 3 inserts, 2 updates, 1 delete"
sql demo -e "INSERT INTO orders (customer, amount) VALUES ('ada', 12.50), ('grace', 99.99), ('linus', 0.01);
             UPDATE orders SET status = 'paid', amount = 13.00 WHERE customer = 'ada';
             UPDATE orders SET status = 'shipped' WHERE customer = 'grace';
             DELETE FROM orders WHERE customer = 'linus';"

for _ in $(seq 1 100); do
  [[ $(wc -l < "$WORK/events.jsonl") -ge 6 ]] && break
  sleep 0.1
done

step "The change events sluice printed (one JSON document per line; jq makes them prettier)"
cat "$WORK/events.jsonl"
events=$(wc -l < "$WORK/events.jsonl")
ops=$(grep -o '"op":"[cud]"' "$WORK/events.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
echo
echo "quickstart: $events events ($ops) — log in $WORK/sluice.log"
[[ $events -eq 6 ]] || { echo "quickstart: expected 6 events" >&2; exit 1; }

step "Stopping sluice (SIGTERM: it finishes its checkpoint) and MariaDB"
kill -TERM "$SLUICE_PID"
wait "$SLUICE_PID"
SLUICE_PID=""
"$SLUICE" checkpoints --state-dir "$SLUICE_STATE_DIR"
echo "quickstart: done. Try 'tools/quickstart.sh --keep' to make changes yourself."
