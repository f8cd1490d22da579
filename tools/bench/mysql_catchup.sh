#!/usr/bin/env bash
# Binlog catch-up benchmark (ON DEMAND, not in CI), two modes on the same kind of backlog.
#
# Source mode (default): sluice's MySQL source inside a bench binary vs the raw replication
# stream (mariadb-binlog --raw) vs @vlasky/zongji.
#
#   tools/bench/mysql_catchup.sh [--mb 1024 [--literal] | --range FIRST LAST] [--no-zongji] [--tls]
#
# Daemon mode (--daemon, or any of its options below): the daemon a user runs, `sluice run`
# with a MySQL source and the null sink, vs mariadb-binlog --raw with and without ANNOTATE_ROWS,
# alternating in one session (tools/bench/mysql_catchup_daemon.py says what is measured and how;
# tools/bench/RESULTS.md how to run the 1 GB comparison).
#
#   tools/bench/mysql_catchup.sh --daemon [--mb 1024 [--literal] | --range FIRST LAST] [--runs 3]
#       [--sluice BIN]... [--include-query] [--timeout SECONDS]
#
# Callgrind mode (--callgrind): instructions per row image of `sluice run` → null under
# valgrind's callgrind (tools/bench/mysql_catchup_callgrind.py), which a loaded machine does not
# disturb; each --sluice binary in turn, on the same backlog.
#
#   tools/bench/mysql_catchup.sh --callgrind [--mb 20 | --range FIRST LAST] [--sluice BIN]... [--keep]
#
# --sluice BIN (repeatable; default build/cdc/daemon/sluice, built here) alternates several
# binaries, e.g. before and after a change: --sluice build-old/cdc/daemon/sluice --sluice
# build/cdc/daemon/sluice. Without --include-query sluice's YAML leaves include.query out (its
# default applies); with it, each binary also runs with `include.query: true`.
#
# Starts a private MariaDB (tools/services.sh, ports 33591.., dir /tmp/sluice-bench-services,
# kept running so a --range can be reused; stop it with tools/services.sh stop DIR), builds
# mysql_catchup_bench, which generates the backlog without --range and prints the range to reuse
# (and records its row count on the server, bench.catchup_ranges, for the daemon mode). Its
# INSERTs are INSERT ... SELECT of 20 000 rows, whose ANNOTATE_ROWS events are a few hundred
# bytes; --literal writes the same rows as 1000-row INSERTs of literal values, as applications
# do, so that ANNOTATE_ROWS carry about a third of the bytes and the setting matters. The
# source mode installs @vlasky/zongji with npm into /tmp/sluice-bench-node (npm's registry is
# the only network use). Results go to stdout; record them in tools/bench/RESULTS.md.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
usage() {
  echo "usage: $0 [--mb N [--literal] | --range FIRST LAST] [--no-zongji] [--tls]" >&2
  echo "       $0 --daemon [--mb N [--literal] | --range FIRST LAST] [--runs N] [--sluice BIN]..." \
    "[--include-query] [--timeout S]" >&2
  echo "       $0 --callgrind [--mb N | --range FIRST LAST] [--sluice BIN]... [--keep]" >&2
  exit 2
}
ZONGJI=1
TLS=0
DAEMON=0
CALLGRIND=0
ARGS=()
DAEMON_ARGS=()
SLUICE_BINS=()
while (($#)); do
  case $1 in
    --no-zongji) ZONGJI=0 ;;
    --mb) ARGS+=(--mb "${2:?}"); shift ;;
    --range) ARGS+=(--range "${2:?}" "${3:?}"); shift 2 ;;
    --tls) ARGS+=(--tls); TLS=1 ;;
    --literal) ARGS+=(--literal) ;;
    --daemon) DAEMON=1 ;;
    --callgrind) DAEMON=1; CALLGRIND=1 ;;
    --keep) DAEMON=1; CALLGRIND=1; DAEMON_ARGS+=(--keep) ;;
    --sluice) DAEMON=1; SLUICE_BINS+=("$(realpath "${2:?}")"); shift ;;
    --runs | --timeout) DAEMON=1; DAEMON_ARGS+=("$1" "${2:?}"); shift ;;
    --include-query) DAEMON=1; DAEMON_ARGS+=(--include-query) ;;
    *) usage ;;
  esac
  shift
done
((DAEMON && TLS)) && usage  # the daemon mode reads in plain text, as mariadb-binlog does
cd "$REPO"
DIR=${SLUICE_BENCH_SERVICES:-/tmp/sluice-bench-services}
SLUICE_MARIADB_PORT=${SLUICE_MARIADB_PORT:-33591} SLUICE_PG_PORT=54591 SLUICE_REDIS_PORT=63591 \
  SLUICE_PROMETHEUS_PORT=19591 tools/services.sh start "$DIR" --only mariadb >/dev/null
# shellcheck disable=SC1091
source "$DIR/services.env"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
CONNECT=(--host 127.0.0.1 --port "$SLUICE_MARIADB_PORT" --user "$SLUICE_MARIADB_USER"
  --password "$SLUICE_MARIADB_PASSWORD")
if ((DAEMON)); then
  if ((${#SLUICE_BINS[@]} == 0)); then
    cmake --build build --target sluice mysql_catchup_bench >/dev/null
    SLUICE_BINS=("$REPO/build/cdc/daemon/sluice")
  else
    cmake --build build --target mysql_catchup_bench >/dev/null
  fi
  # "prepared FIRST LAST BYTES ROWS FILE...", after the generator's own lines.
  PREPARED=$(build/tools/bench/mysql_catchup_bench "${CONNECT[@]}" "${ARGS[@]}" --prepare | tee /dev/stderr | tail -n 1)
  read -r word _ _ _ ROWS FILES <<< "$PREPARED"
  [[ $word == prepared ]] || { echo "mysql_catchup_bench --prepare printed no range" >&2; exit 1; }
  SLUICE_ARGS=()
  for b in "${SLUICE_BINS[@]}"; do SLUICE_ARGS+=(--sluice "$b"); done
  DRIVER=tools/bench/mysql_catchup_daemon.py
  if ((CALLGRIND)); then
    DRIVER=tools/bench/mysql_catchup_callgrind.py
  else
    DAEMON_ARGS+=(--server-pid "$(cat "$DIR/mariadb/mariadbd.pid")")  # its CPU per row too
  fi
  # shellcheck disable=SC2086  # FILES: binlog names, no spaces
  exec python3 "$DRIVER" "${CONNECT[@]}" --rows "$ROWS" --files $FILES \
    "${SLUICE_ARGS[@]}" "${DAEMON_ARGS[@]}"
fi
if ((ZONGJI)); then
  NODE_DIR=/tmp/sluice-bench-node
  if [[ ! -d $NODE_DIR/node_modules/@vlasky/zongji ]]; then
    command -v npm >/dev/null || apt-get install -y -q nodejs npm >/dev/null
    mkdir -p "$NODE_DIR"
    npm install --silent --prefix "$NODE_DIR" @vlasky/zongji >/dev/null
  fi
  ARGS+=(--zongji "$NODE_DIR")
fi
cmake --build build --target mysql_catchup_bench >/dev/null
exec build/tools/bench/mysql_catchup_bench "${CONNECT[@]}" "${ARGS[@]}"
