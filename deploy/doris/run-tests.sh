#!/usr/bin/env bash
# Runs sluice's Doris end-to-end test against a real Apache Doris (docker-compose.yml here)
# instead of the Doris test server: the same binary, pointed at it with SLUICE_DORIS_FE_PORT.
# Needs Docker with compose, a built tree and the test services (MariaDB) of tools/services.sh:
#
#   cmake --build build --target sluice mysql_to_doris_it
#   tools/services.sh start /tmp/sluice-doris-real
#   deploy/doris/run-tests.sh /tmp/sluice-doris-real/services.env
#
# What runs against real Doris: the end-to-end case (inserts, updates, deletes, the 100k-row
# transaction, TRUNCATE, ADD/DROP COLUMN, types and keys of the created table) and the
# fencing case. The SIGKILL and precommit-timeout cases need the test server's control port
# (faults, BE restarts) and stay on it. Not run on the machines this was written on (no
# Docker there): the DESC type spellings of a real Doris may differ from the test server's.
set -euo pipefail

env_file=${1:?usage: $0 SERVICES_ENV}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${SLUICE_BUILD:-$root/build}
compose=(docker compose -f "$here/docker-compose.yml")

"${compose[@]}" up -d --wait
trap '"${compose[@]}" down -v' EXIT
# The BE registers itself with the FE a few seconds after the FE is healthy.
for _ in $(seq 1 60); do
  if curl -sf -u root: -X POST -H 'Content-Type: application/json' \
       -d '{"stmt":"SHOW BACKENDS"}' http://127.0.0.1:18030/api/query/default_cluster/information_schema |
       grep -q '"Alive"\|true'; then
    break
  fi
  sleep 2
done
export SLUICE_SERVICES_ENV=$env_file
export SLUICE_DORIS_FE_PORT=18030
export SLUICE_DORIS_PASSWORD=

"$build/tests/integration/mysql_to_doris_it" -tc='*inserts, updates*,*second instance*'
echo "deploy/doris/run-tests.sh: passed against $(docker inspect --format '{{.Config.Image}}' sluice-doris-fe)"
