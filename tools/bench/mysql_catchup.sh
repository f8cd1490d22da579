#!/usr/bin/env bash
# Binlog catch-up benchmark (ON DEMAND, not in CI): sluice's MySQL source vs the raw
# replication stream (mariadb-binlog --raw) vs @vlasky/zongji, on the same backlog.
#
#   tools/bench/mysql_catchup.sh [--mb 1024] [--range FIRST LAST] [--no-zongji] [--tls]
#
# Starts a private MariaDB (tools/services.sh, ports 33591.., dir /tmp/sluice-bench-services,
# kept running so a --range can be reused; stop it with tools/services.sh stop DIR), installs
# @vlasky/zongji with npm into /tmp/sluice-bench-node (npm's registry is the only network
# use), builds mysql_catchup_bench and runs it. Results go to stdout; record them in
# tools/bench/RESULTS.md.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$REPO"
ZONGJI=1
ARGS=()
while (($#)); do
  case $1 in
    --no-zongji) ZONGJI=0 ;;
    --mb) ARGS+=(--mb "$2"); shift ;;
    --range) ARGS+=(--range "$2" "$3"); shift 2 ;;
    --tls) ARGS+=(--tls) ;;
    *) echo "usage: $0 [--mb N] [--range FIRST LAST] [--no-zongji] [--tls]" >&2; exit 2 ;;
  esac
  shift
done
DIR=${SLUICE_BENCH_SERVICES:-/tmp/sluice-bench-services}
SLUICE_MARIADB_PORT=${SLUICE_MARIADB_PORT:-33591} SLUICE_PG_PORT=54591 SLUICE_REDIS_PORT=63591 \
  SLUICE_PROMETHEUS_PORT=19591 tools/services.sh start "$DIR" --only mariadb >/dev/null
# shellcheck disable=SC1091
source "$DIR/services.env"
if ((ZONGJI)); then
  NODE_DIR=/tmp/sluice-bench-node
  if [[ ! -d $NODE_DIR/node_modules/@vlasky/zongji ]]; then
    command -v npm >/dev/null || apt-get install -y -q nodejs npm >/dev/null
    mkdir -p "$NODE_DIR"
    npm install --silent --prefix "$NODE_DIR" @vlasky/zongji >/dev/null
  fi
  ARGS+=(--zongji "$NODE_DIR")
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target mysql_catchup_bench >/dev/null
exec build/tools/bench/mysql_catchup_bench --host 127.0.0.1 --port "$SLUICE_MARIADB_PORT" \
  --user "$SLUICE_MARIADB_USER" --password "$SLUICE_MARIADB_PASSWORD" "${ARGS[@]}"
