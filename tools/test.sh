#!/usr/bin/env bash
# Builds sluice and runs every test (unit and integration) against real servers.
#
#   tools/test.sh [--sanitize] [--no-install] [-R regex] [-L label] [-E regex]
#
#   --sanitize     build in build-asan/ with ASan+UBSan (RelWithDebInfo); default build/
#   --no-install   skip tools/install.sh (packages already present)
#   -R/-E/-L       passed to ctest (include regex, exclude regex, label)
#   $SLUICE_BUILD_DIR overrides the build directory.
#
# Steps: install packages, check the C++ formatting (clang-format), configure + build with
# CMake and Ninja, start MariaDB, PostgreSQL, Redis and Prometheus in a fresh /tmp directory
# with tools/services.sh, export
# SLUICE_SERVICES_ENV, run ctest. The services are stopped and the directory removed on
# every exit, including failures and Ctrl-C. Exits non-zero when anything fails.
# Ports: see tools/services.sh (SLUICE_MARIADB_PORT, SLUICE_PG_PORT, ...).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"

SANITIZE=0
INSTALL=1
CTEST_ARGS=()
usage() {
  echo "usage: tools/test.sh [--sanitize] [--no-install] [-R regex] [-E regex] [-L label]" >&2
  exit 2
}
while (($#)); do
  case $1 in
    --sanitize) SANITIZE=1 ;;
    --no-install) INSTALL=0 ;;
    -R | -L | -E)
      (($# >= 2)) || usage
      CTEST_ARGS+=("$1" "$2")
      shift
      ;;
    -h | --help) usage ;;
    *)
      echo "tools/test.sh: unknown argument '$1'" >&2
      usage
      ;;
  esac
  shift
done

START=$SECONDS
STAGE=setup
summary() {
  local rc=$1
  local took=$((SECONDS - START))
  if ((rc == 0)); then
    echo "tools/test.sh: PASS (build ${BUILD_DIR:-?}, ${took}s)"
  else
    echo "tools/test.sh: FAIL at stage '$STAGE' (exit $rc, build ${BUILD_DIR:-?}, ${took}s)" >&2
  fi
}

SERVICES_DIR=""
cleanup() {
  local rc=$?
  # Ignore further Ctrl-C/TERM (also in services.sh stop): a half-done cleanup would leave
  # servers running.
  trap - EXIT
  trap '' INT TERM
  if [[ -n $SERVICES_DIR ]]; then
    if ! "$REPO/tools/services.sh" stop "$SERVICES_DIR" >/dev/null; then
      echo "tools/test.sh: stopping services in $SERVICES_DIR failed" >&2
      ((rc == 0)) && rc=1
    fi
    # The servers' logs usually explain a failure: keep a copy in the build tree.
    if ((rc != 0)) && [[ -n ${BUILD_DIR:-} && -d $BUILD_DIR ]]; then
      local logs=$BUILD_DIR/Testing/service-logs
      rm -rf "$logs"
      mkdir -p "$logs"
      cp "$SERVICES_DIR"/*/*.log "$logs"/ 2>/dev/null || true
      echo "tools/test.sh: server logs copied to $logs" >&2
    fi
    rm -rf "$SERVICES_DIR"
  fi
  summary "$rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ((INSTALL)); then
  STAGE=install
  "$REPO/tools/install.sh"
fi

# Cheap (about 2 s): every tracked C++ file as .clang-format says. `clang-format -i FILE` mends.
STAGE=format
if ! (cd "$REPO" && git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run -Werror); then
  echo "tools/test.sh: the files above are not formatted; run: git ls-files '*.cpp' '*.h' | xargs clang-format -i" >&2
  exit 1
fi

STAGE=configure
if ((SANITIZE)); then
  BUILD_DIR=${SLUICE_BUILD_DIR:-$REPO/build-asan}
  CMAKE_ARGS=(-DSLUICE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
else
  BUILD_DIR=${SLUICE_BUILD_DIR:-$REPO/build}
  CMAKE_ARGS=()
fi
cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja "${CMAKE_ARGS[@]}"

STAGE=build
cmake --build "$BUILD_DIR" -j "$(nproc)"

STAGE=services
SERVICES_DIR=$(mktemp -d /tmp/sluice-services-XXXX)
chmod 755 "$SERVICES_DIR"  # mariadbd and postgres run as users mysql and postgres
"$REPO/tools/services.sh" start "$SERVICES_DIR"
export SLUICE_SERVICES_ENV=$SERVICES_DIR/services.env

STAGE=ctest
# Serial on purpose: integration tests share the servers (binlog, slots, the Prometheus
# targets file). --no-tests=error turns a -R/-L that matches nothing into a failure.
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 --no-tests=error \
  "${CTEST_ARGS[@]}"
STAGE=done
