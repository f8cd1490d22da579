# Sourced by the shell benchmarks that drive `sluice run` against tools/services.sh's servers.
#
#   bench_setup ENV_FILE NAME BINARY...   BINARY paths relative to the build directory
#
# Reads the services' env file, sets `root` and `build` ($SLUICE_BUILD, default build/), stops
# with what to build when a BINARY is missing, makes the scratch directory `work`
# (/tmp/sluice-NAME.XXXXXX) and, on exit, kills every PID in `pids` and removes `work`.
bench_setup() {
  local env_file=$1 name=$2
  shift 2
  # shellcheck disable=SC1090
  source "$env_file"
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  build=${SLUICE_BUILD:-$root/build}
  local b targets=()
  for b in "$@"; do targets+=("$(basename "$b")"); done
  for b in "$@"; do
    [[ -x $build/$b ]] || { echo "build first: cmake --build build --target ${targets[*]}" >&2; exit 2; }
  done
  work=$(mktemp -d "/tmp/sluice-$name.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}

# A TCP port nothing listens on at the moment, on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
