#!/usr/bin/env bash
# Installs everything sluice needs to build, test and run its quickstart on Debian 12.
# Idempotent and non-interactive: packages already present are skipped by apt.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates openssl
  # tools/test.sh refuses unformatted C++ (.clang-format)
  clang-format
  # libraries (ENVIRONMENT.md lists how CMake finds each)
  libmysqlcppconn-dev libmariadb-dev libpq-dev librdkafka-dev librocksdb-dev
  libsimdjson-dev libyaml-cpp-dev prometheus-cpp-dev doctest-dev libhiredis-dev
  libcurl4-openssl-dev libssl-dev libzstd-dev libisal-dev zlib1g-dev libspdlog-dev libfmt-dev
  # PCRE2: REGEXP/REGEXP_REPLACE in transform expressions (JIT, Java-like syntax, match limits)
  libpcre2-dev
  # jemalloc: the sluice binary's allocator (CMake SLUICE_ALLOCATOR; librdkafka's per-record
  # allocations made glibc's malloc 40% of the Kafka sink thread)
  libjemalloc-dev
  # real servers used by the quickstart and the integration tests
  mariadb-server mariadb-client postgresql-15 postgresql-client-15
  redis-server redis-tools prometheus
  # kcat: the Kafka test broker is checked with a second, independent client (README)
  kcat
  # chromium: control_api_it loads the status page in a real headless browser (README)
  chromium
)
# deploy/k8s is rendered with `kubectl kustomize` and validated by tools/k8s-validate (Node.js,
# kubernetes-models from npm). Debian's kubernetes-client provides kubectl unless the machine
# already has one (it conflicts with other kubectl packages); Node.js likewise.
command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

# The validator's npm packages, pinned by tools/k8s-validate/package-lock.json.
install_k8s_validator() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/k8s-validate"
  if [[ -d $dir/node_modules/kubernetes-models ]] &&
     [[ $dir/node_modules/.package-lock.json -nt $dir/package-lock.json ]]; then
    return
  fi
  echo "install.sh: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install.sh: all ${#PACKAGES[@]} packages present"
  install_k8s_validator
  exit 0
fi

echo "install.sh: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d keeps the packages' own init scripts from starting system-wide servers on
# the default ports: sluice starts its own, privately, from tools/services.sh.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
  $SUDO chmod +x $policy
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && $SUDO rm -f '"$policy" EXIT
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_k8s_validator
echo "install.sh: done"
