#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root):
#   scripts/setup.sh demo   install what is missing, build, run `wsprobe demo`
#   scripts/setup.sh test   install what is missing, build, run the whole test suite
#   scripts/setup.sh build  install and build only
#   scripts/setup.sh bench  install, build, run the benchmarks (ratios against same-run baselines)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config libboost1.81-dev libboost-url1.81-dev libssl-dev openssl
          libcli11-dev nlohmann-json3-dev catch2 libc-ares-dev libvalijson-dev zlib1g-dev libyaml-cpp-dev)
# Real forward proxies the tests start on loopback (issue 4): tinyproxy (HTTP CONNECT), Dante (SOCKS5).
# Real readers of the CI reports (issue 6): xmllint validates the JUnit XML against its schema,
# the Prometheus Python client's parser reads the text exposition.
test_packages=(tinyproxy dante-server libxml2-utils python3 python3-prometheus-client)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "run as root to install packages" >&2; exit 2; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Release (-O2, stripped) unless BUILD_TYPE says otherwise; `build TARGET...` builds only those
# (the demo needs only wsprobe, not the test suite).
build() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
  cmake --build build -j "$(nproc)" ${1:+--target "$@"}
}

case "${1:-demo}" in
  build) install_missing; build ;;
  demo)  install_missing; build wsprobe; ./build/app/wsprobe demo ;;
  test)  packages+=("${test_packages[@]}"); install_missing; build; ctest --test-dir build --output-on-failure -j "$(nproc)" ;;
  bench) install_missing; build wsprobe_bench; ./build/bench/wsprobe_bench "${2:-1}" ;;
  *) echo "usage: $0 demo|test|build|bench" >&2; exit 2 ;;
esac
