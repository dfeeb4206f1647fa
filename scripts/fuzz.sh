#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang in build-fuzz and runs each for a bounded time
# on a copy of its seed corpus:  scripts/fuzz.sh [seconds-per-harness, default 15] [harness...]
# A crash, a leak, a sanitizer report, a broken invariant or a timeout fails the run (exit 1);
# the input that did it is kept in build-fuzz/artifacts/. Prints each harness's executions.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
shift || true

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 \
  -DWSPROBE_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzzers

harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for f in fuzz/fuzz_*.cpp; do n="${f#fuzz/fuzz_}"; harnesses+=("${n%.cpp}"); done
fi
mkdir -p build-fuzz/artifacts
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=()
for name in "${harnesses[@]}"; do
  # The committed seeds stay as they are: new inputs go to a scratch corpus.
  mkdir -p "$work/$name"
  cp fuzz/corpus/"$name"/* "$work/$name"/ 2>/dev/null || true
  log="build-fuzz/artifacts/$name.log"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     ./build-fuzz/fuzz/fuzz_"$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -max_len=8192 -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/"$name"- \
       "$work/$name" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$name")
    tail -n 40 "$log" >&2
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  printf 'fuzz %-20s %-6s %12s executions in %ss\n' "$name" "$status" "${execs:-?}" "$seconds"
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (inputs and logs in build-fuzz/artifacts/)" >&2
  exit 1
fi
