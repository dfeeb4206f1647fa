#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root):
#   scripts/setup.sh demo   install what is missing, build, run `wsprobe demo`
#   scripts/setup.sh test   install what is missing, build, run the whole test suite (and again
#                           under ASan+UBSan), then every fuzz harness for a few seconds
#   scripts/setup.sh build  install and build only
#   scripts/setup.sh bench  install, build, run the benchmarks (ratios against same-run baselines)
#   scripts/setup.sh fuzz [SECONDS]  install clang, run each libFuzzer harness SECONDS (default 60)
#   scripts/setup.sh sanitize  the whole suite, test code included, under ASan+UBSan (build-asan)
# `test` (what CI runs) is timed steps: the Release build with the sanitized twins of wsprobe's
# libraries (WSPROBE_SANITIZED_SUITE: the test objects are compiled once and linked twice), both
# suites, then every fuzz harness for FUZZ_SECONDS (default 5) each. A whole second ASan tree
# (`sanitize`) takes 14 min to build on 2 cores, which CI's 20 minutes cannot hold beside the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config libboost1.81-dev libboost-url1.81-dev libssl-dev openssl
          libcli11-dev nlohmann-json3-dev catch2 libc-ares-dev libvalijson-dev zlib1g-dev libyaml-cpp-dev libidn2-dev)
# Real forward proxies the tests start on loopback (issue 4): tinyproxy (HTTP CONNECT), Dante (SOCKS5).
# Real readers of the CI reports (issue 6): xmllint validates the JUnit XML against its schema,
# the Prometheus Python client's parser reads the text exposition.
test_packages=(tinyproxy dante-server libxml2-utils python3 python3-prometheus-client)
# The libFuzzer harnesses (fuzz/) build with clang; libFuzzer and clang's sanitizer runtimes ship
# in libclang-rt-14-dev.
fuzz_packages=(clang libclang-rt-14-dev)

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
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
    -DWSPROBE_SANITIZED_SUITE="${SANITIZED_SUITE:-OFF}" >/dev/null
  cmake --build build -j "$(nproc)" ${1:+--target "$@"}
}

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its own build
# directory: -O1 (a third of -O2's compile time, fast enough to run), and any report fails the
# test that made it (abort instead of printing and going on).
sanitize_suite() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DWSPROBE_SANITIZE=ON >/dev/null
  cmake --build build-asan -j "$(nproc)"
  WSPROBE_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
}

# Runs a step and says how long it took: CI's budget is spent in these.
timed() {
  local name="$1" start=$SECONDS
  shift
  echo "== $name"
  "$@"
  echo "== $name: $((SECONDS - start)) s"
}

case "${1:-demo}" in
  build) install_missing; build ;;
  demo)  install_missing; build wsprobe; ./build/app/wsprobe demo ;;
  test)
    packages+=("${test_packages[@]}" "${fuzz_packages[@]}"); install_missing
    SANITIZED_SUITE=ON timed "release build, sanitized twins" build
    timed "suite, and sanitized suite" ctest --test-dir build --output-on-failure -j "$(nproc)"
    timed "fuzzing" bash scripts/fuzz.sh "${FUZZ_SECONDS:-5}" ;;
  sanitize) packages+=("${test_packages[@]}"); install_missing; timed "sanitizer build and suite" sanitize_suite ;;
  fuzz)  packages+=("${fuzz_packages[@]}"); install_missing; bash scripts/fuzz.sh "${2:-60}" ;;
  bench) install_missing; build wsprobe_bench; ./build/bench/wsprobe_bench "${2:-1}" ;;
  *) echo "usage: $0 demo|test|build|bench|fuzz [SECONDS]|sanitize" >&2; exit 2 ;;
esac
